-- wrk script for bench/run.js: POST the body read from the file named by $BODY_FILE, as is (binary-safe: the file is
-- opened "rb", Lua strings carry any bytes, and wrk sends the body with its byte length as Content-Length).
-- $CONTENT_TYPE (default application/json) and, for the binary tensor data extension, $HEADER_LENGTH (sent as
-- Inference-Header-Content-Length) are optional.
local file = assert(io.open(assert(os.getenv("BODY_FILE"), "set BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"
local header_length = os.getenv("HEADER_LENGTH")
if header_length and header_length ~= "" then
  wrk.headers["Inference-Header-Content-Length"] = header_length
end
