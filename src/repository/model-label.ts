/** How messages name a model version: `model "m"`, or `model "m" version "v"`. */
export function modelLabel(model: {readonly name: string; readonly version?: string}): string {
  return model.version === undefined ? `model "${model.name}"` : `model "${model.name}" version "${model.version}"`
}
