/**
 * Table: the `pd` content type's value, a columnar table as pandas' DataFrame is: named columns of equal length, in
 * order. A column is a typed array (numbers) or an array of booleans, strings, Dates or byte strings.
 */
import type {NumericArray} from '../protocol/datatypes.js'

/** One cell: a number (NaN for a missing float), a bigint (INT64 / UINT64), a boolean, a string, a Date or bytes. */
export type CellValue = number | bigint | boolean | string | Date | Uint8Array | null

/** One column's values, top to bottom. */
export type ColumnValues = NumericArray | readonly CellValue[]

/** A row, column name to cell. */
export type Row = Record<string, CellValue>

export class Table {
  /** Column names, in order. */
  readonly columns: readonly string[]
  /** Number of rows. */
  readonly length: number
  private readonly data: ReadonlyMap<string, ColumnValues>

  /** Columns from an object (its key order) or from [name, values] pairs; throws when their lengths differ. */
  constructor(columns: Readonly<Record<string, ColumnValues>> | Iterable<readonly [string, ColumnValues]>) {
    const entries: Array<readonly [string, ColumnValues]> =
      Symbol.iterator in columns ? [...(columns as Iterable<readonly [string, ColumnValues]>)] : Object.entries(columns)
    const data = new Map<string, ColumnValues>()
    for (const [name, values] of entries) {
      if (data.has(name)) throw new Error(`Table: column "${name}" is given twice`)
      if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw new Error(`Table: column "${name}" is not an array`)
      data.set(name, values)
    }
    const lengths = [...data].map(([name, values]) => `${name}: ${values.length}`)
    const length = entries[0]?.[1].length ?? 0
    if (entries.some(([, values]) => values.length !== length)) throw new Error(`Table: columns differ in length (${lengths.join(', ')})`)
    this.columns = [...data.keys()]
    this.length = length
    this.data = data
  }

  /** A table from row objects; the columns are `columns`, else the keys of the first row. */
  static fromRows(rows: readonly Row[], columns: readonly string[] = rows.length > 0 ? Object.keys(rows[0]) : []): Table {
    return new Table(columns.map((name) => [name, rows.map((row) => row[name] ?? null)] as const))
  }

  has(name: string): boolean {
    return this.data.has(name)
  }

  /** The values of column `name`; throws when there is no such column. */
  column<T extends ColumnValues = ColumnValues>(name: string): T {
    const values = this.data.get(name)
    if (values === undefined) throw new Error(`Table: no column "${name}" (columns: ${this.columns.join(', ')})`)
    return values as T
  }

  /** The cell at `row` of column `name`. */
  cell(row: number, name: string): CellValue {
    return this.column(name)[row] as CellValue
  }

  /** Every row as an object, column name to cell. */
  rows(): Row[] {
    return Array.from({length: this.length}, (_, r) => Object.fromEntries(this.columns.map((name) => [name, this.cell(r, name)])))
  }

  /** [name, values] pairs, in column order. */
  entries(): Array<[string, ColumnValues]> {
    return this.columns.map((name) => [name, this.column(name)])
  }
}
