-- Argo CD health for driftguard objects (CloudRunServiceConfig, VpcConnectorConfig).
-- Argo CD runs this with the live object as `obj` (Lua 5.1) and reads hs.status / hs.message.
-- The mapping follows the object's own conditions; see "Under Argo CD" in the README.

local hs = {}

local function condition(status, type)
  if status == nil or status.conditions == nil then return nil end
  for _, c in ipairs(status.conditions) do
    if c.type == type then return c end
  end
  return nil
end

local function member(list, value)
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

-- Reasons a person must act on: the spec, a policy, a permission or Google's own refusal.
local degraded = {
  "InvalidSpec", "PolicyViolation", "ConnectionBudgetExceeded", "ReplacementRequired", "RevisionFailed",
  "ProjectNotAllowed", "PermissionDenied", "Unauthenticated", "NotFound", "InvalidArgument",
  "FailedPrecondition", "Unimplemented", "ConnectorError", "ConnectorDeleting", "RetryBackoff", "UpdateRejected",
}

local status = obj.status
local generation = obj.metadata and obj.metadata.generation
local ready = condition(status, "Ready")
local synced = condition(status, "Synced")
local stalled = condition(status, "Stalled")
local annotations = (obj.metadata and obj.metadata.annotations) or {}
local observe = obj.spec ~= nil and obj.spec.managementPolicy == "Observe"

if annotations["driftguard.dev/paused"] == "true" or (synced ~= nil and synced.reason == "Paused") then
  hs.status = "Suspended"
  hs.message = (synced ~= nil and synced.reason == "Paused" and synced.message) or "Paused: driftguard.dev/paused is \"true\""
  return hs
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for driftguard to report status"
  return hs
end

local observed = (status and status.observedGeneration) or ready.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for driftguard to observe generation " .. tostring(generation)
  return hs
end

if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = stalled.reason .. ": " .. (stalled.message or "")
  return hs
end

for _, c in ipairs({ ready, synced }) do
  if c ~= nil and c.status == "False" and member(degraded, c.reason) then
    hs.status = "Degraded"
    hs.message = c.reason .. ": " .. (c.message or "")
    return hs
  end
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or ""
  return hs
end

-- Observe-only: driftguard reports the difference and never writes, so drift stays until someone acts.
if observe and ready.reason == "DriftDetected" then
  hs.status = "Degraded"
  hs.message = "DriftDetected (Observe policy, nothing written): " .. (ready.message or "")
  return hs
end

-- Updating, waiting on an operation, a dependency or a transient Google error: it will move on its own.
hs.status = "Progressing"
hs.message = ready.reason .. ": " .. (ready.message or "")
return hs
