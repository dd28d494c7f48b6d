/**
 * XGBoost objectives: how base_score becomes the starting margin, and how margins become `predict`.
 * base_score is stored in output space (a probability for logistic objectives), as XGBoost's ProbToMargin expects.
 */

export type Link = 'identity' | 'logistic' | 'exp' | 'softmax' | 'argmax' | 'hinge'

export interface Objective {
  readonly name: string
  readonly link: Link
  /** Margin that the sum of leaves starts from. */
  baseMargin(baseScore: number): number
  /** True when predict_proba is meaningful (a classifier). */
  readonly classifier: boolean
}

const logit = (p: number) => Math.log(p / (1 - p))

const LOGISTIC = {link: 'logistic', baseMargin: logit} as const
const IDENTITY = {link: 'identity', baseMargin: (b: number) => b} as const
const EXP = {link: 'exp', baseMargin: Math.log} as const

const TABLE: Record<string, Omit<Objective, 'name'>> = {
  'binary:logistic': {...LOGISTIC, classifier: true},
  'reg:logistic': {...LOGISTIC, classifier: false},
  'binary:logitraw': {link: 'identity', baseMargin: logit, classifier: false},
  'binary:hinge': {link: 'hinge', baseMargin: (b) => b, classifier: false},
  'reg:squarederror': {...IDENTITY, classifier: false},
  'reg:linear': {...IDENTITY, classifier: false},
  'reg:squaredlogerror': {...IDENTITY, classifier: false},
  'reg:pseudohubererror': {...IDENTITY, classifier: false},
  'reg:absoluteerror': {...IDENTITY, classifier: false},
  'reg:quantileerror': {...IDENTITY, classifier: false},
  'count:poisson': {...EXP, classifier: false},
  'reg:gamma': {...EXP, classifier: false},
  'reg:tweedie': {...EXP, classifier: false},
  'multi:softprob': {link: 'softmax', baseMargin: (b) => b, classifier: true},
  'multi:softmax': {link: 'argmax', baseMargin: (b) => b, classifier: true},
  'rank:pairwise': {...IDENTITY, classifier: false},
  'rank:ndcg': {...IDENTITY, classifier: false},
  'rank:map': {...IDENTITY, classifier: false},
}

export function objectiveByName(name: string): Objective {
  const row = TABLE[name]
  if (row === undefined) {
    throw new Error(`objective "${name}" is not supported; supported: ${Object.keys(TABLE).join(', ')}`)
  }
  return {name, ...row}
}

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m))

/** Applies the link to one row's margins in place (for softmax/argmax all `k` margins of the row). */
export function transformRow(link: Link, margins: Float64Array, k: number): void {
  switch (link) {
    case 'logistic':
      for (let i = 0; i < k; i++) margins[i] = sigmoid(margins[i])
      return
    case 'exp':
      for (let i = 0; i < k; i++) margins[i] = Math.exp(margins[i])
      return
    case 'hinge':
      for (let i = 0; i < k; i++) margins[i] = margins[i] > 0 ? 1 : 0
      return
    case 'softmax': {
      let max = -Infinity
      for (let i = 0; i < k; i++) max = Math.max(max, margins[i])
      let sum = 0
      for (let i = 0; i < k; i++) sum += margins[i] = Math.exp(margins[i] - max)
      for (let i = 0; i < k; i++) margins[i] /= sum
      return
    }
    default:
      return
  }
}
