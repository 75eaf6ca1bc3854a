import type { ComponentChildren } from 'preact';
import type { Loaded } from '../use-api';
import { LoadedView } from './loaded';

/** A column of a {@link RecordTable}: its heading and what each record shows in it. */
export interface Column<T> {
  readonly heading: string;
  readonly cell: (record: T) => ComponentChildren;
  /** The class of the column's cells. */
  readonly class?: string;
}

/** How a {@link RecordTable} shows its records. */
interface TableLayout<T> {
  columns: readonly Column<T>[];
  rowKey: (record: T) => string | number;
  class?: string;
  /** `data-*` attributes of each record's row. */
  rowData?: (record: T) => Record<`data-${string}`, string | number>;
  /** Stands instead of a table without rows. */
  empty?: string;
}

/** A table with a row per record. */
export function RecordTable<T>(props: TableLayout<T> & { records: readonly T[] }) {
  const { records, columns, rowKey, rowData } = props;
  if (records.length === 0 && props.empty !== undefined) return <p>{props.empty}</p>;
  return (
    <table class={props.class}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.heading}>{column.heading}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {records.map((record) => (
          <tr key={rowKey(record)} {...rowData?.(record)}>
            {columns.map((column) => (
              <td key={column.heading} class={column.class}>
                {column.cell(record)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A {@link RecordTable} of the records an API read loaded (or its error, or a placeholder while it loads). */
export function LoadedTable<T>({ loaded, ...layout }: TableLayout<T> & { loaded: Loaded<readonly T[]> }) {
  return (
    <LoadedView loaded={loaded}>{(records) => <RecordTable records={records} {...layout} />}</LoadedView>
  );
}
