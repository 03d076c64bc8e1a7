/**
 * Manifest YAML that many tests write next to their workflows.
 */

/** A generator depot (icefloe's deterministic sample rows). */
export function generatorDepotYaml(rows: number, seed: number, name = 'gen'): string {
  return `name: ${name}\nversion: v1\ntype: depot\ndepot:\n  type: generator\n  generator:\n    rows: ${rows}\n    seed: ${seed}\n`;
}

/** The lakehouse `lake` on local files (warehouse `./warehouse` beside the manifest) with the file catalog. */
export const FILE_LAKEHOUSE_YAML =
  'name: lake\nversion: v1alpha\ntype: lakehouse\nlayer: user\nlakehouse:\n  type: iceberg\n  compute: runnable-default\n' +
  '  iceberg:\n    storage:\n      depotName: lake\n      type: file\n      file:\n        path: ./warehouse\n' +
  '    metastore:\n      type: file\n';
