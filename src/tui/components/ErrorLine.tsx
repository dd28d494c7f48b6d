/**
 * The line of failures: every model's failed inferences by error code since the server started ("+N" where the count
 * grew over the rate window), and the requests to models the server does not have. "-" where the server does not count them.
 */
import {Text} from 'ink'
import {memo} from 'react'
import type {CodeCount, UnknownModels} from '../state/error-codes.js'
import {unknownModelsText} from '../state/error-codes.js'

/** The counts, and why they are unknown when they are. */
export interface ErrorLineProps {
  readonly errors?: readonly CodeCount[]
  readonly unknownModels?: UnknownModels
  /** Why metrics are unavailable. */
  readonly missing?: string
}

const LABEL = 'errors '

/** "INVALID_SHAPE 12 (+3)". */
export const codeText = (count: CodeCount): string => `${count.code} ${count.total}${count.recent > 0 ? ` (+${count.recent})` : ''}`

function ErrorLineView({errors, unknownModels, missing}: ErrorLineProps) {
  if (errors === undefined && unknownModels === undefined) {
    return <Text wrap="truncate-end" color="gray">{`${LABEL}${missing === undefined ? '-' : 'unknown: metrics unavailable'}`}</Text>
  }
  const counts = errors ?? []
  return (
    <Text wrap="truncate-end">
      <Text color="gray">{LABEL}</Text>
      {errors === undefined ? <Text color="gray">-</Text> : counts.length === 0 ? <Text color="gray">none</Text> : null}
      {counts.map((count, i) => (
        <Text key={count.code}>
          {i > 0 ? <Text color="gray">, </Text> : null}
          <Text color={count.recent > 0 ? 'red' : 'yellow'}>{codeText(count)}</Text>
        </Text>
      ))}
      {unknownModels === undefined ? null : (
        <Text color={unknownModels.recent > 0 ? 'red' : unknownModels.total > 0 ? 'yellow' : 'gray'}>
          {`  ·  ${unknownModelsText(unknownModels)}${unknownModels.recent > 0 ? ` (+${unknownModels.recent})` : ''}`}
        </Text>
      )}
    </Text>
  )
}

/** The error line (memoised). */
export const ErrorLine = memo(ErrorLineView)
