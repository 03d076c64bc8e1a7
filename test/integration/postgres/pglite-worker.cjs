// Hosts an in-memory PGlite in a worker thread for the jest suites: jest's module sandbox has no dynamic
// import(), which PGlite needs to load its WASM. Messages: {id, op: 'query'|'close', sql, params, opts, blob}.
const { parentPort } = require('node:worker_threads');
const { PGlite } = require('@electric-sql/pglite');

const ready = PGlite.create();
parentPort.on('message', async (m) => {
  try {
    const db = await ready;
    if (m.op === 'close') {
      await db.close();
      parentPort.postMessage({ id: m.id, result: {} });
      return;
    }
    const opts = { ...(m.opts ?? {}) };
    if (m.blob) opts.blob = new Blob([m.blob]);
    const r = await db.query(m.sql, m.params, opts);
    parentPort.postMessage({ id: m.id, result: { rows: r.rows, affectedRows: r.affectedRows } });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: { message: String(e?.message), code: e?.code } });
  }
});
