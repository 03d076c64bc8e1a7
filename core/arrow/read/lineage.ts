/** v3 row lineage (format/spec.md "Row Lineage"): the reserved metadata columns. */
import type { NestedField } from '../../iceberg/spec/types';

/** Reserved field ids of the v3 row lineage columns (format/spec.md "Row Lineage"). */
export const ROW_ID = 2147483540;
export const LAST_UPDATED_SEQUENCE_NUMBER = 2147483539;

/** The row lineage metadata columns, readable by name in scans of any table. */
export const LINEAGE_FIELDS: NestedField[] = [
  { id: ROW_ID, name: '_row_id', required: false, type: 'long' },
  { id: LAST_UPDATED_SEQUENCE_NUMBER, name: '_last_updated_sequence_number', required: false, type: 'long' },
];
