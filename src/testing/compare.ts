/** Agreement of one batch's response with the reference predictions, and the predicted class for accuracy. */
import type {InferenceResponse} from '../protocol/types.js'

type Value = number | boolean | string

export function valuesAgree(got: Value, want: Value, tolerance: number): boolean {
  if (typeof got === 'number' && typeof want === 'number') {
    if (Number.isNaN(got) || Number.isNaN(want)) return Number.isNaN(got) && Number.isNaN(want)
    return Math.abs(got - want) <= tolerance
  }
  return got === want
}

/** The class a row's prediction stands for: a label as is, a probability thresholded at 0.5, scores by argmax. */
export function predictedClass(values: readonly Value[]): Value {
  if (values.length > 1) return values.indexOf(values.reduce((a, b) => ((b as number) > (a as number) ? b : a)))
  const [v] = values
  if (typeof v === 'number' && !Number.isInteger(v) && v >= 0 && v <= 1) return v >= 0.5 ? 1 : 0
  return v
}

export interface BatchCheck {
  /** Per row of the batch: whether every expected output agrees. */
  readonly agree: boolean[]
  /** Per row: the predicted class from the first expected output. */
  readonly classes: Value[]
  /** Why rows disagree, for the first disagreement. */
  readonly mismatch?: string
}

export function checkBatch(response: InferenceResponse, expected: Record<string, readonly Value[]>, totalRows: number, start: number, rows: number, tolerance: number): BatchCheck {
  const agree = new Array<boolean>(rows).fill(true)
  const classes: Value[] = []
  let mismatch: string | undefined
  Object.entries(expected).forEach(([name, want], index) => {
    const output = response.outputs.find((o) => o.name === name)
    const width = want.length / totalRows
    if (output === undefined || output.data.length !== rows * width) {
      agree.fill(false)
      mismatch ??= output === undefined ? `the response has no output "${name}"` : `output "${name}" has ${output.data.length} values for ${rows} rows, expected ${rows * width}`
      return
    }
    for (let r = 0; r < rows; r++) {
      const got = output.data.slice(r * width, (r + 1) * width)
      const ref = want.slice((start + r) * width, (start + r + 1) * width)
      if (!got.every((g, i) => valuesAgree(g, ref[i], tolerance))) {
        agree[r] = false
        mismatch ??= `row ${start + r}: ${name} is ${JSON.stringify(got)}, expected ${JSON.stringify(ref)}`
      }
      if (index === 0) classes.push(predictedClass(got))
    }
  })
  return {agree, classes, mismatch}
}
