"""The same receptionist turn built with pipecat, for a side-by-side latency race (run by benchmarks/latency.py --peer).

Runs in its own virtualenv (`make peer-venv`: .peer-venv in the checkout by default) so pipecat's dependencies never touch the project's.
Configuration of pipecat's public API only: a FastAPI websocket transport with the Twilio media-stream serializer (8 kHz
mu-law, what the benchmark's MediaStreamPeer speaks), pipecat's Silero VAD and its default turn handling (smart-turn v3),
faster-whisper STT on our Whisper model directory, Piper TTS with our joe voice, and an LLM through llama-cpp-python's
OpenAI-compatible server on our GGUF. Nothing is downloaded: every model is a local path.

    .peer-venv/bin/python benchmarks/peer_pipecat.py --port 8799 --whisper DIR --voice FILE.onnx --gguf FILE.gguf
prints "peer ready" on stderr once it accepts calls at ws://127.0.0.1:PORT/ws.
"""

# No `from __future__ import annotations`: FastAPI reads the websocket handler's annotation at run time.
import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SYSTEM = (
    "You are the phone receptionist of Miller Plumbing. Answer in one short sentence. Take down the caller's concern, "
    "then ask for their name and call-back number, then read the number back."
)

GREETING = "Hello, you have reached Miller Plumbing. How can I help you?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_llm_server(gguf: Path, threads: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--n_threads", str(threads), "--n_threads_batch", str(threads), "--chat_format", "gemma", "--model_alias", "local"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"llama_cpp.server exited with {proc.returncode}; is llama-cpp-python[server] in this venv?")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1).read()
            return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("llama_cpp.server did not start within 120 s")


def voice_dir(voice: Path) -> tuple[Path, str]:
    """PiperTTSService loads DIR/NAME.onnx (and .onnx.json) and downloads only what is missing: give it ours by those names."""
    folder = Path(tempfile.mkdtemp(prefix="peer-piper-"))
    name = voice.name.removesuffix(".onnx")
    (folder / f"{name}.onnx").symlink_to(voice)
    config = voice.with_name(voice.name + ".json")
    (folder / f"{name}.onnx.json").symlink_to(config if config.exists() else voice.with_suffix(".json"))
    return folder, name


def build_app(args: argparse.Namespace, llm_url: str):  # type: ignore[no-untyped-def]
    from fastapi import FastAPI, WebSocket
    from pipecat.audio.vad.silero import SileroVADAnalyzer
    from pipecat.frames.frames import TTSSpeakFrame
    from pipecat.pipeline.pipeline import Pipeline
    from pipecat.pipeline.runner import PipelineRunner
    from pipecat.pipeline.task import PipelineParams, PipelineTask
    from pipecat.processors.aggregators.llm_context import LLMContext
    from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair, LLMUserAggregatorParams
    from pipecat.processors.audio.vad_processor import VADProcessor
    from pipecat.serializers.twilio import TwilioFrameSerializer
    from pipecat.services.openai.llm import OpenAILLMService
    from pipecat.services.piper.tts import PiperTTSService
    from pipecat.services.whisper.stt import WhisperSTTService
    from pipecat.transcriptions.language import Language
    from pipecat.transports.websocket.fastapi import FastAPIWebsocketParams, FastAPIWebsocketTransport

    piper_dir, voice_name = voice_dir(Path(args.voice))
    app = FastAPI()

    @app.websocket("/ws")
    async def call(websocket: WebSocket) -> None:
        await websocket.accept()
        # Twilio's handshake: "connected", then "start" with the stream id the serializer needs.
        await websocket.receive_text()
        start = await websocket.receive_json()
        stream_sid = start.get("streamSid") or start.get("start", {}).get("streamSid", "")
        transport = FastAPIWebsocketTransport(
            websocket,
            FastAPIWebsocketParams(
                audio_in_enabled=True, audio_out_enabled=True, add_wav_header=False,
                serializer=TwilioFrameSerializer(stream_sid, params=TwilioFrameSerializer.InputParams(auto_hang_up=False)),
            ),
        )
        stt = WhisperSTTService(device="cpu", compute_type="int8",
                                settings=WhisperSTTService.Settings(model=args.whisper, language=Language.EN))
        tts = PiperTTSService(download_dir=piper_dir, settings=PiperTTSService.Settings(voice=voice_name))
        llm = OpenAILLMService(api_key="none", base_url=llm_url,
                               settings=OpenAILLMService.Settings(model="local", max_tokens=40, temperature=0.0))
        context = LLMContext([{"role": "system", "content": SYSTEM}])
        # Its note to the LLM about an empty turn has role "developer", which llama_cpp.server rejects.
        aggregators = LLMContextAggregatorPair(context, user_params=LLMUserAggregatorParams(empty_user_turn=None))
        # Silero ahead of the (segmented) Whisper STT, which transcribes each VAD segment when it ends; the turn then
        # ends by pipecat's default stop strategy (the smart-turn v3 model on the audio, with the transcript).
        vad = VADProcessor(vad_analyzer=SileroVADAnalyzer())
        pipeline = Pipeline([transport.input(), vad, stt, aggregators.user(), llm, tts, transport.output(), aggregators.assistant()])
        task = PipelineTask(pipeline, params=PipelineParams(audio_in_sample_rate=16000, audio_out_sample_rate=8000))  # Whisper reads 16 kHz

        @transport.event_handler("on_client_connected")
        async def _greet(_transport, _client) -> None:  # type: ignore[no-untyped-def]
            await task.queue_frames([TTSSpeakFrame(GREETING)])  # like ours, the call starts with a greeting

        @transport.event_handler("on_client_disconnected")
        async def _gone(_transport, _client) -> None:  # type: ignore[no-untyped-def]
            await task.cancel()

        await PipelineRunner(handle_sigint=False).run(task)

    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--whisper", required=True, help="CTranslate2 Whisper model directory (ours)")
    parser.add_argument("--voice", required=True, help="Piper voice .onnx (ours, en_US-joe-medium)")
    parser.add_argument("--gguf", required=True, help="GGUF for llama_cpp.server (ours)")
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads (2 threads on 2 busy cores measured 51 s for a 40-token reply, 1 thread 4 s)")
    args = parser.parse_args()
    llm_proc, llm_url = start_llm_server(Path(args.gguf), args.threads)
    try:
        import uvicorn

        app = build_app(args, llm_url)
        config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning")
        server = uvicorn.Server(config)
        print("peer ready", file=sys.stderr, flush=True)
        asyncio.run(server.serve())
    finally:
        llm_proc.terminate()
        llm_proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
