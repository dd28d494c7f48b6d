/**
 * A text runtime: for each input text, its number of tokens and a sentiment score in [-1, 1] read from a word list
 * (lexicon.json, named by parameters.extra.lexicon). A negation ("not", "never", ...) flips the next sentiment word.
 * The score is (positive - negative) / (positive + negative) over the sentiment words found, 0 when there are none.
 *
 * It shows the parts of a custom runtime: load() reads the model's files, predict() decodes the request with the
 * content types of model-settings.json (text is `str`: an array of strings) and encodes a plain object of typed
 * arrays (one output per key, with the datatypes model-settings.json declares), and two custom metrics.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {BaseRuntime, MlsError, type InferRequest, type InferResult} from 'mls-server'

interface Lexicon {
  readonly positive: readonly string[]
  readonly negative: readonly string[]
  readonly negations: readonly string[]
}

/** Words: letters, digits and inner apostrophes, lower-cased. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? []
}

export default class Sentiment extends BaseRuntime {
  private polarity = new Map<string, number>()
  private negations = new Set<string>()
  private readonly tokensRead = this.metrics.counter('sentiment_tokens_total', 'Tokens read by the sentiment runtime')
  private readonly scores = this.metrics.histogram('sentiment_score', 'Sentiment scores returned', {buckets: [-0.5, 0, 0.5, 1]})

  override async load(): Promise<void> {
    const file = path.join(this.settings.folder, String(this.settings.extra.lexicon ?? 'lexicon.json'))
    const lexicon = JSON.parse(await readFile(file, 'utf8')) as Lexicon
    for (const word of lexicon.positive) this.polarity.set(word, 1)
    for (const word of lexicon.negative) this.polarity.set(word, -1)
    this.negations = new Set(lexicon.negations)
    this.logger.info(`sentiment: ${this.polarity.size} words from ${path.basename(file)}`, {model: this.name, version: this.version})
  }

  /** [tokens, score] of one text. */
  score(text: string): [number, number] {
    const words = tokenize(text)
    let positive = 0
    let negative = 0
    let flip = false
    for (const word of words) {
      if (this.negations.has(word)) {
        flip = true
        continue
      }
      const polarity = (this.polarity.get(word) ?? 0) * (flip ? -1 : 1)
      if (polarity > 0) positive++
      if (polarity < 0) negative++
      if (polarity !== 0) flip = false
    }
    return [words.length, positive + negative === 0 ? 0 : (positive - negative) / (positive + negative)]
  }

  override async predict(request: InferRequest): Promise<InferResult> {
    const {text} = this.decodeRequest<{text: string[]}>(request)
    if (text.some((t) => t.length > 10_000)) throw new MlsError('INVALID_DATA', 'input "text": texts are limited to 10000 characters')
    const tokens = new Int32Array(text.length)
    const score = new Float32Array(text.length)
    text.forEach((t, i) => {
      ;[tokens[i], score[i]] = this.score(t)
      this.tokensRead.inc(tokens[i])
      this.scores.observe(score[i])
    })
    return this.encodeResponse({tokens, score})
  }
}
