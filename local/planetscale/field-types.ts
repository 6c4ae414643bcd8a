// Column metadata for the PlanetScale HTTP API: mysql2 column definitions → Vitess `query.Type` names and
// the protobuf-JSON `Field` objects that @planetscale/database reads (docs/protocols.md#execute-replies,
// docs/protocols.md#column-types).

/** The parts of a mysql2 ColumnDefinition the gateway uses (mysql2 lib/packets/column_definition.js). */
export interface ColumnMeta {
  name: string;
  orgName: string;
  table: string;
  orgTable: string;
  schema: string;
  characterSet: number;
  columnLength: number;
  columnType: number;
  flags: number;
  decimals: number;
  /** MariaDB extended metadata (MARIADB_CLIENT_EXTENDED_METADATA): 'json' for JSON columns and JSON functions. */
  extendedFormat?: string;
}

/** The protobuf-JSON `query.Field`, keys in proto order, zero values left out. */
export interface ProtoField {
  name?: string;
  type?: string;
  table?: string;
  orgTable?: string;
  database?: string;
  orgName?: string;
  columnLength?: number;
  charset?: number;
  decimals?: number;
  flags?: number;
}

// MySQL column flags, the ones Vitess modifyType looks at (include/mysql_com.h).
const UNSIGNED_FLAG = 32;
const BINARY_FLAG = 128;
const ENUM_FLAG = 256;
const SET_FLAG = 2048;

// Vitess go/sqltypes/type.go `mysqlToType`: MySQL wire type code → base Vitess type.
const BASE_TYPES: ReadonlyMap<number, string> = new Map([
  [0, 'DECIMAL'],
  [1, 'INT8'],
  [2, 'INT16'],
  [3, 'INT32'],
  [4, 'FLOAT32'],
  [5, 'FLOAT64'],
  [6, 'NULL_TYPE'],
  [7, 'TIMESTAMP'],
  [8, 'INT64'],
  [9, 'INT24'],
  [10, 'DATE'],
  [11, 'TIME'],
  [12, 'DATETIME'],
  [13, 'YEAR'],
  [14, 'DATE'],
  [15, 'VARCHAR'],
  [16, 'BIT'],
  [17, 'TIMESTAMP'],
  [18, 'DATETIME'],
  [19, 'TIME'],
  [242, 'VECTOR'],
  [245, 'JSON'],
  [246, 'DECIMAL'],
  [247, 'ENUM'],
  [248, 'SET'],
  [249, 'TEXT'],
  [250, 'TEXT'],
  [251, 'TEXT'],
  [252, 'TEXT'],
  [253, 'VARCHAR'],
  [254, 'CHAR'],
  [255, 'GEOMETRY'],
]);

/** Vitess go/sqltypes/type.go `modifyType`: only these base types look at the flags; stray flags are ignored. */
function modifyType(base: string, flags: number): string {
  const unsigned = (flags & UNSIGNED_FLAG) !== 0;
  const binary = (flags & BINARY_FLAG) !== 0;
  switch (base) {
    case 'INT8':
    case 'INT16':
    case 'INT24':
    case 'INT32':
    case 'INT64':
      return unsigned ? `U${base}` : base;
    case 'TEXT':
      return binary ? 'BLOB' : 'TEXT';
    case 'VARCHAR':
      return binary ? 'VARBINARY' : 'VARCHAR';
    case 'CHAR':
      if (binary) return 'BINARY';
      if (flags & ENUM_FLAG) return 'ENUM';
      if (flags & SET_FLAG) return 'SET';
      return 'CHAR';
    default:
      return base;
  }
}

/**
 * The Vitess type name for a column. JSON is checked first: MariaDB sends JSON as a BLOB (252, flags 144)
 * marked only by extendedFormat 'json', which would otherwise map to BLOB and reach the driver as a string.
 * Vitess rejects unknown codes; the gateway answers VARBINARY instead, which database-js cast.ts turns into
 * bytes or text by charset, so a new server type degrades to a value rather than a failed query.
 */
export function vitessType(column: Pick<ColumnMeta, 'columnType' | 'flags' | 'extendedFormat'>): string {
  if (column.columnType === 245 || column.extendedFormat === 'json') return 'JSON';
  const base = BASE_TYPES.get(column.columnType);
  return base === undefined ? 'VARBINARY' : modifyType(base, column.flags);
}

/**
 * The protobuf-JSON field: empty strings and zeros are left out, and a NULL_TYPE column has no `type`
 * (database-js fills in 'NULL' with `field.type ||= 'NULL'`; the golden PlanetScale reply does the same).
 */
export function protoField(column: ColumnMeta): ProtoField {
  const type = vitessType(column);
  const field: ProtoField = {};
  if (column.name) field.name = column.name;
  if (type !== 'NULL_TYPE') field.type = type;
  if (column.table) field.table = column.table;
  if (column.orgTable) field.orgTable = column.orgTable;
  if (column.schema) field.database = column.schema;
  if (column.orgName) field.orgName = column.orgName;
  if (column.columnLength) field.columnLength = column.columnLength;
  if (column.characterSet) field.charset = column.characterSet;
  if (column.decimals) field.decimals = column.decimals;
  if (column.flags) field.flags = column.flags;
  return field;
}
