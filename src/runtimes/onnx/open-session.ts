/**
 * Opens an ONNX session, importing onnxruntime-node (a native module, tens of milliseconds to load) on first use only:
 * a server whose repository has no ONNX or sklearn model, and every CLI command that serves none, never load it.
 */
import type {OnnxSession} from './onnx-session.js'

/** OnnxSession.open, with onnx-session.js (and onnxruntime-node behind it) imported on the first call. */
export async function openOnnxSession(file: string, extra: Readonly<Record<string, unknown>>): Promise<OnnxSession> {
  const {OnnxSession} = await import('./onnx-session.js')
  return OnnxSession.open(file, extra)
}
