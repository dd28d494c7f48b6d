/**
 * Opens an ONNX session, importing onnxruntime-node (a native module, tens of milliseconds to load) on first use only:
 * a server whose repository has no ONNX or sklearn model, and every CLI command that serves none, never load it.
 */
import type {OnnxSession} from './onnx-session.js'

/** OnnxSession.open, with onnx-session.js (and onnxruntime-node behind it) imported on the first call. */
export async function openOnnxSession(file: string, extra: Readonly<Record<string, unknown>>): Promise<OnnxSession> {
  // onnxruntime-node's telemetry otherwise leaves a .ses file and an empty mat-debug-<pid>.log in the temporary folder
  // of every process that opens a session; a server sends nothing home. A user who sets the variable decides.
  process.env.ORT_DISABLE_TELEMETRY ??= '1'
  const {OnnxSession} = await import('./onnx-session.js')
  return OnnxSession.open(file, extra)
}
