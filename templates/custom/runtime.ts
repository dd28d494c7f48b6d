/**
 * A custom runtime for mls, written by `mls init --runtime custom`. As it stands it sums each row of its input:
 * [[1, 2, 3], [4, 5, 6]] -> [[6], [15]]. Make it yours: read your model in load(), compute in predict(), and update
 * "inputs" / "outputs" in model-settings.json and the rows of test-set.json (`mls test --model <name>` sends them).
 *
 * mls compiles this file when it loads the model: there is no build step. `from 'mls-server'` resolves wherever this
 * folder is (mls gives the runtimes it loads its own API); `npm install --save-dev mls-server` beside it gives your
 * editor the types. (The npm package named "mls" is an unrelated project: do not install it.)
 */
import {BaseRuntime, type InferRequest, type InferResult, type NdArray} from 'mls-server'

export default class SumRuntime extends BaseRuntime {
  // A custom metric, served on the metrics port (/metrics) with the labels model and version.
  private readonly rowsSummed = this.metrics.counter('sum_rows_total', 'Rows summed by the sum runtime')

  // Runs when the model loads (at start-up, or on POST /v2/repository/models/<name>/load). Read weights here: this
  // model's folder is this.settings.folder, its parameters.extra is this.settings.extra. Throwing leaves the model
  // UNAVAILABLE, with your message as the reason.
  override async load(): Promise<void> {
    this.logger.info(`model ${this.name}: loaded`)
  }

  // One inference. The request has been checked against the inputs model-settings.json declares ("input": FP64,
  // shape [rows, columns]) and converted to their datatypes, so input.data is a Float64Array here.
  override async predict(request: InferRequest): Promise<InferResult> {
    // decodeRequest gives each input as a value by its content type: an NdArray (typed array + shape) without one;
    // an array of strings with "content_type": "str"; a Table of columns for a request with "content_type": "pd"...
    const {input} = this.decodeRequest<{input: NdArray<Float64Array>}>(request)
    const [rows, columns] = input.shape
    const sum = new Float64Array(rows)
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) sum[r] += input.data[r * columns + c]
    }
    this.rowsSummed.inc(rows)
    // encodeResponse makes tensors of values: one output per key; a typed array of N values goes out as [N, 1].
    return this.encodeResponse({sum})
  }

  // Frees what load() took; runs on unload, once the requests in flight have finished.
  override async unload(): Promise<void> {}
}
