-- voicebridge player for FreeSWITCH 1.10: starts mod_audio_stream (or mod_audio_fork) towards voicebridge and plays
-- what voicebridge answers. Both modules only write our audio to a temp file per message and fire an event (the free
-- mod_audio_stream never plays it itself), so this script plays those files in order, in the caller's channel.
--
-- Install: copy to FreeSWITCH's script directory (Debian packages: /usr/share/freeswitch/scripts/).
-- Run from the dialplan on an answered channel:  <action application="lua" data="voicebridge.lua"/>
-- Reads:  voicebridge_module  "stream" (mod_audio_stream, default) or "fork" (mod_audio_fork)
--         voicebridge_ws      voicebridge's websocket, default ws://127.0.0.1:9093 ([freeswitch] host/port)
--         voicebridge_rate    8000 (default) or 16000: the audio rate in both directions
-- Sets:   voicebridge_end     why the call left voicebridge: agent_goodbye (the caller was served: hang up), or
--                             daemon_shutdown, max_duration, peer_silent, ... , "unreachable" (voicebridge is down),
--                             "lost" (the connection broke): the dialplan falls back to voicemail for all of these.

local module = session:getVariable("voicebridge_module") == "fork" and "fork" or "stream"
local base = session:getVariable("voicebridge_ws") or "ws://127.0.0.1:9093"
local rate = session:getVariable("voicebridge_rate") == "16000" and 16000 or 8000
local uuid = session:get_uuid()
local api = freeswitch.API()

-- Phone numbers only: they travel in a URL (mod_audio_stream) or in JSON without spaces (mod_audio_fork's metadata).
local function number(name)
  return (string.gsub(session:getVariable(name) or "", "[^%w%+%*]", ""))
end
local caller, did = number("caller_id_number"), number("destination_number")

-- Subscribe before starting the stream, so no event is missed. The consumer sees every channel's events: filter by UUID.
local prefix = "mod_audio_" .. module .. "::"
local names = module == "fork" and { "connect", "connect_failed", "play_audio", "kill_audio", "disconnect", "error" }
  or { "connect", "error", "play", "disconnect" }
local events = freeswitch.EventConsumer("CUSTOM", prefix .. names[1])
for i = 2, #names do
  events:bind("CUSTOM", prefix .. names[i])
end

local command
if module == "fork" then
  -- uuid_audio_fork <uuid> start <url> <mix> <rate> <bugname> <metadata>; metadata reaches voicebridge as the first text frame.
  local metadata = string.format('{"uuid":"%s","from":"%s","to":"%s","sampleRate":%d}', uuid, caller, did, rate)
  command = string.format("uuid_audio_fork %s start %s/fork/%s mono %dk voicebridge %s", uuid, base, uuid, math.floor(rate / 1000), metadata)
else
  -- uuid_audio_stream <uuid> start <url> <mix> <rate>; mod_audio_stream tells the server nothing, so the URL does.
  local url = string.format("%s/stream/%s?caller=%s&did=%s&rate=%d", base, uuid, caller, did, rate)
  command = string.format("uuid_audio_stream %s start %s mono %dk", uuid, url, math.floor(rate / 1000))
end
local started = api:executeString(command) or ""
freeswitch.consoleLog("info", "voicebridge: " .. module .. " start: " .. started .. "\n")

local queue, connected, finished, reason = {}, false, not started:find("^%+OK"), nil
if finished then
  reason = "unreachable"
end
local connect_deadline = os.time() + 5

local function handle(event)
  if event:getHeader("Unique-ID") ~= uuid then
    return
  end
  local kind = string.sub(event:getHeader("Event-Subclass") or "", #prefix + 1)
  local body = event:getBody() or ""
  if kind == "connect" then
    connected = true
  elseif kind == "play" or kind == "play_audio" then
    local file = body:match('"file"%s*:%s*"([^"]+)"')
    if file then
      queue[#queue + 1] = file
    end
  elseif kind == "kill_audio" then
    queue = {} -- the barge-in: CF_BREAK already cut the file playing now
  elseif kind == "disconnect" then
    -- mod_audio_stream: {"status":"disconnected","message":{"code":1000,"reason":"agent_goodbye"}}
    -- mod_audio_fork: {"reason":"agent_goodbye"} from voicebridge's disconnect message, then an empty one as the socket closes
    local said = string.gsub(body:match('"reason"%s*:%s*"([^"]*)"') or "", "[^%w_]", "") -- it becomes part of an extension name
    reason = reason or (said ~= "" and said or nil)
    finished = true
  else -- error, connect_failed
    reason = reason or (connected and "lost" or "unreachable")
    finished = true
  end
end

while session:ready() do
  local event = events:pop(0)
  while event do
    handle(event)
    event = events:pop(0)
  end
  if #queue > 0 then
    -- Plays while the channel keeps reading the caller (the module's media bug sees those frames); killAudio breaks it.
    session:streamFile(table.remove(queue, 1))
  elseif finished then
    break
  elseif not connected and os.time() > connect_deadline then
    reason = "unreachable"
    break
  else
    session:sleep(20) -- keep reading media: a channel that reads nothing feeds the module nothing
  end
end

if session:ready() then
  api:executeString(string.format("uuid_audio_%s %s stop", module, uuid)) -- detach the media bug (no reconnect attempts)
  session:setVariable("voicebridge_end", reason or "lost")
end
