"""Reads every Avro file given with Debian's python3-avro and prints, per file, the record count and
the field ids of the header schema (name -> field-id, nested), as one JSON line each."""
import json, sys
from avro.datafile import DataFileReader
from avro.io import DatumReader

def ids(schema, prefix=''):
    out = {}
    if isinstance(schema, list):
        for s in schema:
            out.update(ids(s, prefix))
    elif isinstance(schema, dict):
        if schema.get('type') == 'record':
            for f in schema['fields']:
                name = prefix + f['name']
                if 'field-id' in f:
                    out[name] = f['field-id']
                out.update(ids(f['type'], name + '.'))
        elif schema.get('type') == 'array':
            if 'element-id' in schema:
                out[prefix + 'element'] = schema['element-id']
            out.update(ids(schema['items'], prefix))
    return out

for path in sys.argv[1:]:
    with open(path, 'rb') as fh:
        r = DataFileReader(fh, DatumReader())
        schema = json.loads(r.meta['avro.schema'])
        meta = {k: v.decode() for k, v in r.meta.items() if not k.startswith('avro.')}
        n = sum(1 for _ in r)
        print(json.dumps({'path': path, 'name': schema['name'], 'records': n, 'ids': ids(schema), 'meta': list(meta)}))
