/** Reads XGBoost's JSON model format (save_model('model.json')) into a compiled forest and its objective. */
import {accumulateMargins, compileForest, isArrayLike, type Forest, type RawTree} from './forest.js'
import {objectiveByName, transformRow, type Objective} from './objectives.js'

export interface XGBoostModel {
  readonly forest: Forest
  readonly objective: Objective
  readonly numFeature: number
  /** Margins per row: num_class for multi-class objectives, else 1. */
  readonly groups: number
  readonly baseMargin: number
}

type Json = Record<string, unknown>

function field(object: unknown, key: string, where: string): unknown {
  if (object === null || typeof object !== 'object' || !(key in object)) {
    throw new Error(`not an XGBoost JSON model: ${where}.${key} is missing`)
  }
  return (object as Json)[key]
}

/** XGBoost writes numbers in params as strings ("5E-1"); 2.x writes base_score as "[5E-1]". */
function numberParam(value: unknown, where: string): number {
  const text = typeof value === 'string' ? value.replace(/^\[|\]$/g, '') : value
  const n = typeof text === 'string' ? Number(text) : text
  if (typeof n !== 'number' || Number.isNaN(n)) throw new Error(`${where}: expected a number, found ${JSON.stringify(value)}`)
  return n
}

export function parseXGBoostModel(json: unknown): XGBoostModel {
  const learner = field(json, 'learner', 'model')
  const params = field(learner, 'learner_model_param', 'learner')
  const objective = objectiveByName(String(field(field(learner, 'objective', 'learner'), 'name', 'learner.objective')))
  let booster = field(learner, 'gradient_booster', 'learner') as Json
  const kind = String(field(booster, 'name', 'learner.gradient_booster'))
  let weights: ArrayLike<number> | undefined
  if (kind === 'dart') {
    weights = field(booster, 'weight_drop', 'learner.gradient_booster') as ArrayLike<number>
    booster = field(booster, 'gbtree', 'learner.gradient_booster') as Json
  } else if (kind !== 'gbtree') {
    throw new Error(`booster "${kind}" is not supported (gbtree and dart are)`)
  }
  const model = field(booster, 'model', 'learner.gradient_booster')
  const trees = field(model, 'trees', 'learner.gradient_booster.model') as RawTree[]
  const treeInfo = field(model, 'tree_info', 'learner.gradient_booster.model') as ArrayLike<number>
  if (!Array.isArray(trees) || !isArrayLike(treeInfo) || trees.length !== treeInfo.length) {
    throw new Error('learner.gradient_booster.model: trees and tree_info must be arrays of the same length')
  }
  const numTarget = numberParam((params as Json).num_target ?? '1', 'learner_model_param.num_target')
  if (numTarget > 1) throw new Error('multi-target models are not supported')
  const numClass = numberParam((params as Json).num_class ?? '0', 'learner_model_param.num_class')
  if (!Number.isInteger(numClass) || numClass < 0) throw new Error(`learner_model_param.num_class: expected a non-negative integer, found ${numClass}`)
  const groups = Math.max(1, numClass)
  const baseScore = numberParam((params as Json).base_score, 'learner_model_param.base_score')
  const numFeature = numberParam((params as Json).num_feature, 'learner_model_param.num_feature')
  if (!Number.isInteger(numFeature) || numFeature < 0) throw new Error(`learner_model_param.num_feature: expected a non-negative integer, found ${numFeature}`)
  return {
    forest: compileForest(trees, treeInfo, weights ?? new Float64Array(trees.length).fill(1), groups),
    objective,
    numFeature,
    groups,
    baseMargin: objective.baseMargin(baseScore),
  }
}

/** Predictions for `rows` rows of `cols` features: `groups` values per row, after the objective's transform. */
export function predictRows(model: XGBoostModel, x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const margins = new Float64Array(rows * model.groups).fill(model.baseMargin)
  accumulateMargins(model.forest, x, rows, cols, model.groups, margins)
  for (let r = 0; r < rows; r++) {
    transformRow(model.objective.link, margins.subarray(r * model.groups, (r + 1) * model.groups), model.groups)
  }
  return margins
}
