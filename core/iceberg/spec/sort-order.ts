/** Sort orders (format/spec.md "Sorting"). Order id 0 is reserved for the unsorted order. */
export interface SortField {
  transform: string;
  'source-id': number;
  'source-ids'?: number[];
  direction: 'asc' | 'desc';
  'null-order': 'nulls-first' | 'nulls-last';
}

export interface SortOrder {
  'order-id': number;
  fields: SortField[];
}

/** The reserved unsorted order. */
export const UNSORTED_ORDER: SortOrder = Object.freeze({ 'order-id': 0, fields: [] }) as SortOrder;
