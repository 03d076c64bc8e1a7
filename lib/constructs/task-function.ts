import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, justifyWildcards } from '../nag';

/** The four tasks of a job (DESIGN: Plan → Move (parallel) → Commit, Cleanup on failure). */
export type TaskName = 'plan' | 'move' | 'commit' | 'cleanup';

const REPO_ROOT = join(__dirname, '..', '..');

/** The handler file of a task: `lambdas/<task>/handler.ts`. */
export function handlerEntry(task: TaskName): string {
  return join(REPO_ROOT, 'lambdas', task, 'handler.ts');
}

/** The node build of parquet-wasm reads `${__dirname}/parquet_wasm_bg.wasm`: it must sit beside the bundle. */
export function parquetWasmPath(): string {
  return require.resolve('parquet-wasm/node/parquet_wasm_bg.wasm');
}

/**
 * Modules the core requires only when they exist (`core/movement/bindings/lakehouse.ts` checks
 * `core/connectors/lakehouse/source.ts` with existsSync first). esbuild resolves every literal require, so a
 * missing one is marked external: the runtime check never reaches it. `[import as written, file]`.
 */
const OPTIONAL_IMPORTS: ReadonlyArray<readonly [string, string]> = [
  ['../../connectors/lakehouse/source', 'core/connectors/lakehouse/source.ts'],
];

/** The optional imports whose files are absent from this tree (external to the bundle). @internal */
export function missingOptionalImports(): string[] {
  return OPTIONAL_IMPORTS.filter(([, file]) => !existsSync(join(REPO_ROOT, file))).map(([spec]) => spec);
}

/**
 * Packages aliased to a stand-in in the task bundles: `[package, file]`. PGlite (the embedded PostgreSQL, 0.5 MB
 * of the 2.8 MB bundle) is a local-run feature; the stand-in fails with one clear error if a depot still asks.
 * The Glue client is itself, minus the ~450 commands the catalog does not send.
 */
const BUNDLE_ALIASES: ReadonlyArray<readonly [string, string]> = [
  ['@electric-sql/pglite', 'lambdas/_shared/no-pglite.ts'],
  ['@aws-sdk/client-glue', 'lambdas/_shared/aws-sdk-client-glue.mjs'],
];

/**
 * The esbuild settings of every task bundle, in one place: the construct bundles with them and
 * `bench/lambda-cold-start.ts` measures exactly them. What makes the cold start (process start → handler
 * ready) short is what the bundle does not contain: V8 compiles the whole file (about half of the ready time).
 */
export interface TaskBundleSettings {
  readonly target: string;
  readonly format: 'cjs';
  readonly minify: boolean;
  /** An external `index.js.map`; `NODE_OPTIONS` enables it for stack traces of the original sources. */
  readonly sourcemap: boolean;
  /**
   * False: the map carries mappings and names only, not a copy of every source (9.6 → 2.5 MB that Node reads
   * and parses at load with `--enable-source-maps`); stack traces keep their file:line:col.
   */
  readonly sourcesContent: boolean;
  /**
   * `module` before `main`: the ES builds of packages without an `exports` map (the AWS SDK clients) instead of
   * their one-file CommonJS builds, so esbuild drops what is not imported.
   */
  readonly mainFields: readonly string[];
  /** Left out of the bundle: absent optional imports ({@link missingOptionalImports}). */
  readonly external: readonly string[];
  /** Package → absolute path of its stand-in. */
  readonly alias: Readonly<Record<string, string>>;
  /** `NODE_OPTIONS` of the function. */
  readonly nodeOptions: string;
}

/** The task bundles' esbuild settings (see {@link TaskBundleSettings}). */
export function taskBundleSettings(): TaskBundleSettings {
  return {
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: missingOptionalImports(),
    alias: Object.fromEntries(BUNDLE_ALIASES.map(([pkg, file]) => [pkg, join(REPO_ROOT, file)])),
    nodeOptions: '--enable-source-maps',
  };
}

/**
 * The same settings as options of esbuild's `build()` for one task's handler (`outfile` and logging are the
 * caller's): the benchmark and the tests bundle exactly what the construct bundles.
 */
export function taskBuildOptions(task: TaskName) {
  const s = taskBundleSettings();
  return {
    entryPoints: [handlerEntry(task)],
    bundle: true,
    platform: 'node' as const,
    target: s.target,
    format: s.format,
    minify: s.minify,
    sourcemap: s.sourcemap,
    sourcesContent: s.sourcesContent,
    mainFields: [...s.mainFields],
    external: [...s.external],
    alias: { ...s.alias },
  };
}

/** Properties of {@link TaskFunction}. */
export interface TaskFunctionProps {
  readonly task: TaskName;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Key of the function's log group and environment. */
  readonly encryptionKey: kms.IKey;
  /** @default 1024 */
  readonly memoryMiB?: number;
  /** @default 15 minutes (the Lambda maximum; Move converts a whole chunk) */
  readonly timeout?: Duration;
  /** @default {} */
  readonly environment?: Record<string, string>;
  /**
   * Files copied beside the bundle (`[source, name]`), e.g. the workflow's manifests.
   * @default []
   */
  readonly extraFiles?: ReadonlyArray<readonly [string, string]>;
  /**
   * Prebuilt code instead of bundling `lambdas/<task>/handler.ts` with esbuild. Only for tests that assert
   * properties other than the bundle (bundling takes seconds per function).
   * @default - NodejsFunction bundled locally with esbuild (no Docker)
   */
  readonly code?: lambda.Code;
}

/**
 * One task function: Node.js 22 on arm64 in the isolated subnets, X-Ray active, logs in its own encrypted group,
 * a role of its own with no managed policy (callers add the data grants).
 */
export class TaskFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TaskFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `icefloe ${props.task} task`,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: logs.RetentionDays.THREE_MONTHS,
    });
    const common: lambda.FunctionOptions = {
      role: this.role,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB ?? 1024,
      timeout: props.timeout ?? Duration.minutes(15),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      environmentEncryption: props.encryptionKey,
      environment: { NODE_OPTIONS: taskBundleSettings().nodeOptions, ICEFLOE_TASK: props.task, ...props.environment },
      description: `icefloe ${props.task} task`,
    };
    this.function = props.code
      ? new lambda.Function(this, 'Function', {
          ...common,
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: props.code,
        })
      : this.bundled(common, props);
    this.grantBasics(logGroup);
  }

  private bundled(common: lambda.FunctionOptions, props: TaskFunctionProps): nodejs.NodejsFunction {
    const entry = handlerEntry(props.task);
    const settings = taskBundleSettings();
    if (!existsSync(entry)) throw new Error(`task ${props.task}: handler ${entry} does not exist`);
    const copies: Array<readonly [string, string]> = [
      [parquetWasmPath(), 'parquet_wasm_bg.wasm'],
      ...(props.extraFiles ?? []),
    ];
    return new nodejs.NodejsFunction(this, 'Function', {
      ...common,
      entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.CJS,
        target: settings.target,
        minify: settings.minify,
        sourceMap: settings.sourcemap,
        sourcesContent: settings.sourcesContent,
        mainFields: [...settings.mainFields],
        // Everything is bundled, the AWS SDK too (the runtime's own SDK v3 may differ from the pinned, tested one);
        // only absent optional imports stay external, and PGlite is replaced by its stand-in.
        externalModules: [...settings.external],
        esbuildArgs: { '--alias': Object.entries(settings.alias).map(([pkg, file]) => `${pkg}=${file}`) },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_in: string, out: string) =>
            copies.map(
              ([src, name]) => `mkdir -p "${dirname(join(out, name))}" && cp "${resolve(src)}" "${join(out, name)}"`,
            ),
        },
      },
    });
  }

  /** Logs to its own group, ENIs for the VPC, X-Ray segments: what AWSLambdaVPCAccessExecutionRole would give, inline. */
  private grantBasics(logGroup: logs.LogGroup): void {
    logGroup.grantWrite(this.role);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'EC2 network-interface actions and X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions',
    );
    justifyWildcards(this.role, [
      {
        finding: /^Resource::<[A-Za-z0-9]+\.Arn>:\*$/,
        reason: "log streams of this function's own log group (stream names are chosen by Lambda at run time)",
      },
    ]);
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'DESIGN pins nodejs22.x for the task functions: the code is built and tested on Node 20/22, not yet on 24',
    );
  }
}
