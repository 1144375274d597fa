import { LINK_FIELDS, type LinkField, type Mapping } from './column-mapping.js';

const OPTIONS = [{ value: '', label: 'Leave out' }, ...LINK_FIELDS];

interface ColumnMapperProps {
  header: string[];
  firstRow: string[] | undefined;
  mapping: Mapping;
  onChange: (mapping: Mapping) => void;
  disabled: boolean;
}

/** One line per column of the file: its name, its first value, and the link field it fills. */
export function ColumnMapper({ header, firstRow, mapping, onChange, disabled }: ColumnMapperProps) {
  return (
    <div className="table-wrap">
      <table className="column-mapper">
        <caption className="visually-hidden">Which column is which</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col" className="cell-sample">
              First row
            </th>
            <th scope="col">Link field</th>
          </tr>
        </thead>
        <tbody>
          {header.map((name, index) => (
            // Columns are positions: two may have the same name.
            // biome-ignore lint/suspicious/noArrayIndexKey: the column's position is its identity
            <tr key={index}>
              <th scope="row">{name || `Column ${index + 1}`}</th>
              <td className="cell-sample">{firstRow?.[index] ?? ''}</td>
              <td>
                <select
                  aria-label={`Link field of the column ${name || index + 1}`}
                  value={mapping[index] ?? ''}
                  disabled={disabled}
                  onChange={(event) => {
                    const next = [...mapping];
                    next[index] = event.target.value as LinkField | '';
                    onChange(next);
                  }}
                >
                  {OPTIONS.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
