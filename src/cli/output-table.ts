/** An inference response as readable text: one block per output, one line per row. */
import {formatShape} from '../protocol/shape.js'
import type {InferenceResponse} from '../protocol/types.js'
import {paint} from './style.js'

const MAX_ROWS = 20
const MAX_VALUES = 12

const format = (v: number | boolean | string) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)).toString() : String(v))

export function formatResponse(response: InferenceResponse): string {
  const lines = [`${paint('bold', response.model_name)}${response.model_version ? ` ${response.model_version}` : ''}  id ${response.id}`]
  for (const output of response.outputs) {
    lines.push('', `${paint('bold', output.name)}  ${output.datatype} ${formatShape(output.shape)}`)
    const rows = output.shape.length > 1 ? output.shape[0] : 1
    const width = rows > 0 ? output.data.length / rows : 0
    for (let r = 0; r < Math.min(rows, MAX_ROWS); r++) {
      const values = output.data.slice(r * width, (r + 1) * width)
      const shown = values.slice(0, MAX_VALUES).map(format).join('  ')
      lines.push(`  ${rows > 1 ? `${paint('gray', String(r).padStart(String(rows - 1).length))}  ` : ''}${shown}${values.length > MAX_VALUES ? `  … (${values.length} values)` : ''}`)
    }
    if (rows > MAX_ROWS) lines.push(paint('gray', `  … ${rows - MAX_ROWS} more rows (--json prints everything)`))
  }
  return lines.join('\n')
}
