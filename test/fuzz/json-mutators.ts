/**
 * Structural mutations of a V2 JSON request (an object tree), and a serializer that can also write what JSON.stringify
 * cannot: literal tokens (NaN, Infinity, 1e400, nesting a hundred thousand levels deep) and duplicate keys.
 */
import type {Prng} from './prng.js'

/** Text written as it stands into the JSON. */
export class RawToken {
  constructor(readonly text: string) {}
}

export type Json = null | boolean | number | string | RawToken | Json[] | {[key: string]: Json}
type Container = Json[] | {[key: string]: Json}

/** Keys with this prefix are written without it: a second occurrence of a key. */
const DUPLICATE = '\u0000dup\u0000'

export function serialize(value: Json): string {
  if (value instanceof RawToken) return value.text
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, v]) => `${JSON.stringify(key.startsWith(DUPLICATE) ? key.slice(DUPLICATE.length).replace(/\u0000.*$/, '') : key)}:${serialize(v)}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

const DATATYPE_NAMES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES']
export const ODD_DATATYPES = [...DATATYPE_NAMES, 'fp32', 'FP99', '', 'BYTES ', 'STRING', 'INT128', 'BF16']
const WEIRD_NUMBERS: Json[] = [
  0, -1, 1.5, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53 + 2, 2 ** 64, 1e15, 1e308, -1e308, 5e-324,
  new RawToken('NaN'), new RawToken('Infinity'), new RawToken('-Infinity'), new RawToken('1e400'), new RawToken('-1e400'),
  new RawToken('0.0e-999'), new RawToken('1'.repeat(400)), new RawToken('00'), new RawToken('-'), new RawToken('1.'),
]
const CONTENT_TYPES: Json[] = ['np', 'str', 'pd', 'base64', 'datetime', 'foo', '', 5, null, true, {}, [], 'STR']

function longString(rng: Prng): string {
  const unit = rng.pick(['a', 'é', '\u0000', '\ud800', '\udfff', '😀', '\\', '"', '\u202e', '%2F..'])
  // Huge values are rare: each costs the client and the server a lot more than the others.
  return unit.repeat(rng.chance(0.05) ? 100_000 : rng.pick([1, 10, 1000]))
}

function deep(rng: Prng): RawToken {
  const depth = rng.chance(0.1) ? 100_000 : rng.pick([10, 100, 1000, 5000])
  const inner = rng.pick(['1', '"a"', 'null', '[]', '{}', 'true'])
  return rng.chance(0.5) ? new RawToken('['.repeat(depth) + inner + ']'.repeat(depth)) : new RawToken('{"a":'.repeat(depth) + inner + '}'.repeat(depth))
}

/** A value of any JSON type, sometimes a hostile one. */
export function randomValue(rng: Prng): Json {
  switch (rng.int(10)) {
    case 0: return null
    case 1: return rng.chance(0.5)
    case 2: return rng.pick(WEIRD_NUMBERS)
    case 3: return longString(rng)
    case 4: return rng.pick(ODD_DATATYPES)
    case 5: return []
    case 6: return {}
    case 7: return [rng.pick(WEIRD_NUMBERS), 'x', null]
    case 8: return deep(rng)
    default: return {name: 'x', shape: [1], datatype: 'FP32', data: [1]}
  }
}

/** Every container in the tree with the key or index of each child: the places a mutation can act. */
function places(root: Json): Array<{parent: Container; key: string | number}> {
  const out: Array<{parent: Container; key: string | number}> = []
  const stack: Json[] = [root]
  while (stack.length > 0 && out.length < 5000) {
    const node = stack.pop()!
    if (node === null || typeof node !== 'object' || node instanceof RawToken) continue
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node)
    for (const key of keys) {
      out.push({parent: node, key})
      stack.push((node as Record<string | number, Json>)[key])
    }
  }
  return out
}

function get(parent: Container, key: string | number): Json {
  return (parent as Record<string | number, Json>)[key]
}
function put(parent: Container, key: string | number, value: Json): void {
  ;(parent as Record<string | number, Json>)[key] = value
}

type Request = {[key: string]: Json}
const inputsOf = (doc: Request) => (Array.isArray(doc.inputs) ? (doc.inputs.filter((i) => i !== null && typeof i === 'object' && !Array.isArray(i) && !(i instanceof RawToken)) as Request[]) : [])

function mutateShape(rng: Prng, input: Request): void {
  const shape = Array.isArray(input.shape) ? [...input.shape] : [1]
  switch (rng.int(8)) {
    case 0: input.shape = []; break
    case 1: input.shape = [0, ...shape.slice(1)]; break
    case 2: input.shape = [2 ** 31, 2 ** 31]; break
    case 3: input.shape = [1e15, 1e15, 1e15]; break
    case 4: input.shape = shape.map((d) => (rng.chance(0.5) ? rng.pick(WEIRD_NUMBERS) : d)); break
    case 5: input.shape = Array.from({length: rng.pick([5, 64, 1000])}, () => 1); break
    case 6: input.shape = [...shape, 1]; break
    default: input.shape = shape.slice(0, -1)
  }
}

function mutateData(rng: Prng, input: Request): void {
  const data = Array.isArray(input.data) ? [...input.data] : []
  switch (rng.int(8)) {
    case 0: input.data = data.slice(0, rng.int(data.length + 1)); break
    case 1: input.data = [...data, ...data]; break
    case 2: input.data = data.map((v) => (rng.chance(0.3) ? randomValue(rng) : v)); break
    case 3: input.data = [data]; break
    case 4: input.data = data.map((v) => [v]); break
    case 5: input.data = randomValue(rng); break
    case 6: input.data = data.map(() => rng.pick(WEIRD_NUMBERS)); break
    default: delete input.data
  }
}

function mutateParameters(rng: Prng, owner: Request): void {
  const key = rng.pick(['content_type', 'binary_data_output', 'binary_data_size', 'binary_data', 'custom', '__proto__'])
  const value = key === 'content_type' ? rng.pick(CONTENT_TYPES) : randomValue(rng)
  owner.parameters = rng.chance(0.2) ? randomValue(rng) : {...(owner.parameters as Request | undefined), [key]: value}
}

/** One structural mutation, chosen by `rng`, applied to `doc` in place (a V2 inference request). */
export function mutateJson(rng: Prng, doc: Request): string {
  const inputs = inputsOf(doc)
  const input = inputs.length > 0 ? rng.pick(inputs) : undefined
  const kind = rng.int(14)
  switch (kind) {
    case 0: {
      const all = places(doc).filter((p) => !Array.isArray(p.parent))
      if (all.length > 0) {
        const p = rng.pick(all)
        delete (p.parent as Request)[p.key as string]
      }
      return 'drop a key'
    }
    case 1: {
      const all = places(doc)
      if (all.length > 0) {
        const p = rng.pick(all)
        put(p.parent, p.key, randomValue(rng))
      }
      return 'swap a value for another type'
    }
    case 2: {
      const numbers = places(doc).filter((p) => typeof get(p.parent, p.key) === 'number')
      if (numbers.length > 0) {
        const p = rng.pick(numbers)
        put(p.parent, p.key, rng.pick(WEIRD_NUMBERS))
      }
      return 'a huge, negative or NaN-ish number'
    }
    case 3: {
      const all = places(doc)
      if (all.length > 0) {
        const p = rng.pick(all)
        put(p.parent, p.key, deep(rng))
      }
      return 'deep nesting'
    }
    case 4: {
      const strings = places(doc).filter((p) => typeof get(p.parent, p.key) === 'string')
      if (strings.length > 0) {
        const p = rng.pick(strings)
        put(p.parent, p.key, longString(rng))
      }
      return 'a long or odd string'
    }
    case 5:
      if (input) mutateShape(rng, input)
      return 'shape'
    case 6:
      if (input) input.datatype = rng.pick(ODD_DATATYPES)
      return 'datatype'
    case 7:
      if (input) mutateData(rng, input)
      return 'data'
    case 8:
      mutateParameters(rng, rng.chance(0.5) || !input ? doc : input)
      return 'parameters'
    case 9:
      if (Array.isArray(doc.inputs)) {
        const choice = rng.int(4)
        if (choice === 0 && input) doc.inputs.push(structuredClone(input) as Json)
        else if (choice === 1) doc.inputs = []
        else if (choice === 2 && input) doc.inputs.push({...input, name: 'unknown_input'})
        else if (input) input.name = rng.pick(['', 'predict', 'x', '__proto__', longString(rng)])
      }
      return 'inputs'
    case 10:
      doc.outputs = rng.pick<Json>([[{name: 'nope'}], [{name: ''}], [{name: 'y'}, {name: 'y'}], [null], [{name: 'predict', parameters: {binary_data: true}}], [{}], 'y', []])
      return 'outputs'
    case 11:
      doc.id = rng.chance(0.5) ? randomValue(rng) : longString(rng)
      return 'id'
    case 12: {
      const objects = places(doc).map((p) => get(p.parent, p.key)).filter((v): v is Request => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RawToken))
      const target = rng.pick([doc, ...objects])
      const keys = Object.keys(target)
      if (keys.length > 0) target[`${DUPLICATE}${rng.pick(keys)}\u0000${rng.int(1e9)}`] = randomValue(rng)
      return 'duplicate a key'
    }
    default:
      doc[rng.pick(['inputs', 'outputs', 'parameters', 'id', 'model_name', 'extra'])] = randomValue(rng)
      return 'top-level field of the wrong type'
  }
}
