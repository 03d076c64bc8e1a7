/**
 * `@aws-sdk/client-glue` in the task-function bundles (esbuild alias, `lib/constructs/task-function.ts`): only the
 * client and the commands `core/iceberg/catalog/glue-catalog.ts` imports, each from its own ES module of the SDK.
 * The package's index re-exports all ~450 commands with `export *`, which esbuild cannot drop inside a module that
 * is `require`d lazily (the connector bindings load the catalogs that way): 223 KB of the bundle, 50 KB this way.
 * A name imported from the SDK but missing here fails the bundling ("No matching export"): add it here.
 * (A relative path: the alias also rewrites `@aws-sdk/client-glue/…`.)
 */
export { CreateDatabaseCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/CreateDatabaseCommand.js';
export { CreateTableCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/CreateTableCommand.js';
export { DeleteDatabaseCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/DeleteDatabaseCommand.js';
export { DeleteTableCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/DeleteTableCommand.js';
export { GetDatabaseCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/GetDatabaseCommand.js';
export { GetDatabasesCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/GetDatabasesCommand.js';
export { GetTableCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/GetTableCommand.js';
export { GetTablesCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/GetTablesCommand.js';
export { UpdateDatabaseCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/UpdateDatabaseCommand.js';
export { UpdateTableCommand } from '../../node_modules/@aws-sdk/client-glue/dist-es/commands/UpdateTableCommand.js';
export { GlueClient } from '../../node_modules/@aws-sdk/client-glue/dist-es/GlueClient.js';
