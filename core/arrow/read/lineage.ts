/** Metadata columns a scan can select by name (format/spec.md "Reserved Field IDs", "Row Lineage"). */
import type { NestedField } from '../../iceberg/spec/types';

/** Reserved field ids of the v3 row lineage columns (format/spec.md "Row Lineage"). */
export const ROW_ID = 2147483540;
export const LAST_UPDATED_SEQUENCE_NUMBER = 2147483539;
/** `_file`: the data file's location as written in the manifest. */
export const FILE_ID = 2147483646;
/** `_pos`: the row's position in its data file. */
export const POS_ID = 2147483645;

/** The metadata columns, readable by name in scans of any table. */
export const LINEAGE_FIELDS: NestedField[] = [
  { id: FILE_ID, name: '_file', required: true, type: 'string' },
  { id: POS_ID, name: '_pos', required: true, type: 'long' },
  { id: ROW_ID, name: '_row_id', required: false, type: 'long' },
  { id: LAST_UPDATED_SEQUENCE_NUMBER, name: '_last_updated_sequence_number', required: false, type: 'long' },
];
