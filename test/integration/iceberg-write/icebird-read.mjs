// Reads an Iceberg table with icebird (ESM-only) in a plain node process and prints its rows as JSON.
// usage: node icebird-read.mjs <tableUrl> <metadataFileName>
import { icebergRead } from 'icebird';

const [tableUrl, metadataFileName] = process.argv.slice(2);
const rows = await icebergRead({ tableUrl, metadataFileName });
process.stdout.write(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
