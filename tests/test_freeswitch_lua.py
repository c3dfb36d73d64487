"""dialplan/freeswitch/voicebridge.lua under a stand-in for FreeSWITCH's Lua API: the start command it builds, the files
it plays in order, killAudio, and the voicebridge_end the dialplan branches on. `make install` brings lua5.4; without it these tests fail rather than skip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "dialplan" / "freeswitch" / "voicebridge.lua"
LUA = shutil.which("lua") or shutil.which("lua5.4") or shutil.which("lua5.3")

# A fake channel: each sleep or playback is one step; events become visible at their step; os.time() is the step too.
PRELUDE = r"""
local vars, events, api_reply = ...
local step, max_steps = 0, 60
os.time = function() return step end
session = {}
function session:getVariable(name) return vars[name] end
function session:setVariable(name, value) vars[name] = value; print("SET " .. name .. "=" .. value) end
function session:get_uuid() return "U1" end
function session:ready() return step < max_steps end
function session:sleep(ms) step = step + 1 end
function session:streamFile(file) print("PLAY " .. file); step = step + 1 end
freeswitch = {}
function freeswitch.consoleLog() end
function freeswitch.API()
  return { executeString = function(self, cmd) print("API " .. cmd); return cmd:find(" start ") and api_reply or "+OK" end }
end
function freeswitch.EventConsumer(name, subclass)
  local bound, next_event = { [subclass] = true }, 1
  local consumer = {}
  function consumer:bind(n, s) bound[s] = true end
  function consumer:pop(block)
    while events[next_event] and events[next_event].step <= step do
      local e = events[next_event]
      next_event = next_event + 1
      if bound[e.subclass] then
        return { getHeader = function(self, h) return ({ ["Unique-ID"] = e.uuid, ["Event-Subclass"] = e.subclass })[h] end,
                 getBody = function(self) return e.body end }
      end
    end
    return nil
  end
  return consumer
end
"""


def lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def run(vars_: dict[str, str], events: list[tuple[int, str, str] | tuple[int, str, str, str]], api_reply: str = "+OK Success") -> list[str]:
    rows = []
    for event in events:
        step, subclass, body, uuid = (*event, "U1") if len(event) == 3 else event
        rows.append(f"{{step={step}, subclass={lua_string(subclass)}, body={lua_string(body)}, uuid={lua_string(uuid)}}}")
    table = "{" + ", ".join(f"[ {lua_string(k)} ]={lua_string(v)}" for k, v in vars_.items()) + "}"
    harness = f"local vars, events, reply = {table}, {{{', '.join(rows)}}}, {lua_string(api_reply)}\n"
    harness += f"local prelude = load({lua_string(PRELUDE)}); prelude(vars, events, reply)\n"
    harness += f"dofile({lua_string(str(SCRIPT))})\n"
    assert LUA is not None
    done = subprocess.run([LUA, "-"], input=harness, capture_output=True, text=True, timeout=10, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


CALL = {"caller_id_number": "+49 (30) 1234", "destination_number": "4930555"}


def test_stream_plays_each_file_in_order_and_hangs_up_after_goodbye() -> None:
    out = run(CALL, [
        (0, "mod_audio_stream::connect", '{"status":"connected"}'),
        (1, "mod_audio_stream::play", '{"audioDataType":"raw","sampleRate":8000,"file":"/tmp/U1_0.tmp.r8"}'),
        (1, "mod_audio_stream::play", '{"audioDataType":"raw","sampleRate":8000,"file":"/tmp/X_0.tmp.r8"}', "OTHER-CALL"),
        (2, "mod_audio_stream::play", '{"audioDataType":"raw","sampleRate":8000,"file":"/tmp/U1_1.tmp.r8"}'),
        (3, "mod_audio_stream::disconnect", '{"status":"disconnected","message":{"code":1000,"reason":"agent_goodbye"}}'),
    ])
    assert out[0] == "API uuid_audio_stream U1 start ws://127.0.0.1:9093/stream/U1?caller=+49301234&did=4930555&rate=8000 mono 8k"
    assert [line for line in out if line.startswith("PLAY")] == ["PLAY /tmp/U1_0.tmp.r8", "PLAY /tmp/U1_1.tmp.r8"]
    assert out[-2:] == ["API uuid_audio_stream U1 stop", "SET voicebridge_end=agent_goodbye"]


def test_fork_sends_metadata_and_kill_audio_drops_the_queue() -> None:
    out = run({**CALL, "voicebridge_module": "fork", "voicebridge_rate": "16000", "voicebridge_ws": "ws://10.0.0.5:9093"}, [
        (0, "mod_audio_fork::connect", ""),
        (1, "mod_audio_fork::play_audio", '{"audioContentType":"raw","sampleRate":16000,"file":"/tmp/U1_0.tmp.r16"}'),
        (1, "mod_audio_fork::play_audio", '{"audioContentType":"raw","sampleRate":16000,"file":"/tmp/U1_1.tmp.r16"}'),
        (2, "mod_audio_fork::kill_audio", ""),  # arrives while the first file plays
        (4, "mod_audio_fork::play_audio", '{"audioContentType":"raw","sampleRate":16000,"file":"/tmp/U1_2.tmp.r16"}'),
        (6, "mod_audio_fork::disconnect", '{"reason":"daemon_shutdown"}'),
        (6, "mod_audio_fork::disconnect", ""),  # the socket closing right after
    ])
    meta = '{"uuid":"U1","from":"+49301234","to":"4930555","sampleRate":16000}'
    assert out[0] == f"API uuid_audio_fork U1 start ws://10.0.0.5:9093/fork/U1 mono 16k voicebridge {meta}"
    assert [line for line in out if line.startswith("PLAY")] == ["PLAY /tmp/U1_0.tmp.r16", "PLAY /tmp/U1_2.tmp.r16"]
    assert out[-1] == "SET voicebridge_end=daemon_shutdown"


@pytest.mark.parametrize(
    ("reply", "events", "end"),
    [
        ("-ERR Operation Failed", [], "unreachable"),  # the module could not connect during start
        ("+OK Success", [(1, "mod_audio_stream::error", '{"status":"error"}')], "unreachable"),
        ("+OK Success", [], "unreachable"),  # no connect event within 5 s
        ("+OK Success", [(0, "mod_audio_stream::connect", ""), (2, "mod_audio_stream::disconnect", '{"status":"disconnected"}')], "lost"),
        ("+OK Success", [(0, "mod_audio_stream::connect", ""), (2, "mod_audio_stream::disconnect", '{"message":{"reason":"Going away!"}}')], "Goingaway"),
    ],
)
def test_anything_but_a_goodbye_leaves_a_reason_for_the_voicemail_fallback(reply: str, events: list, end: str) -> None:  # type: ignore[type-arg]
    out = run(CALL, events, api_reply=reply)
    assert out[-1] == f"SET voicebridge_end={end}"


def test_lua_interpreter_is_installed() -> None:
    assert LUA is not None, "no lua interpreter: scripts/install.sh installs lua5.4"

