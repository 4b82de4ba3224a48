"""/live: the page, and the WebSocket a browser streams camera frames into. A rendered clip, decoded
and downscaled as the page does, sent one frame per answer, is counted rep by rep with pose
estimation in the loop; "finish" stores the set for its user only; strangers are refused."""

from __future__ import annotations

import json
import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from midline.web.live import FRAME_HEADER, decode_frame
from web_app import Api, Browser, make_app

RENDERED = Path(__file__).parent / "data" / "rendered"
CLIP = RENDERED / "r05_standing-squeeze_fast-release_caucasian-female.mp4"
"""79 frames (5.3 s at 15 fps), two reps of a standing squeeze with a fast release."""
ORIGIN = {"origin": "http://testserver"}
SEND_WIDTH = 480  # as static/live.js downsizes


def clip_frames(path: Path, width: int = SEND_WIDTH) -> Iterator[tuple[float, bytes]]:
    """(time in s, JPEG) per frame, downscaled to ``width`` like the page's canvas.toBlob."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        height = round(stream.codec_context.height * width / stream.codec_context.width)
        for frame in container.decode(stream):
            rgb = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
            ok, jpeg = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 70])
            assert ok
            yield float(frame.time or 0.0), jpeg.tobytes()


def message(t: float, jpeg: bytes) -> bytes:
    return FRAME_HEADER.pack(t) + jpeg


def truth(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.with_suffix(".truth.json").read_text())
    return data


def start(ws: WebSocketTestSession, exercise: str = "standing-squeeze", **extra: Any) -> dict[str, Any]:
    ws.send_text(json.dumps({"exercise": exercise, **extra}))
    answer: dict[str, Any] = ws.receive_json()
    return answer


@pytest.fixture
def api(tmp_path: Path) -> Api:
    a = Api(make_app(tmp_path))
    a.signup("ada")
    return a


def test_frame_messages_decode_to_their_time_and_image() -> None:
    _, jpeg = next(clip_frames(CLIP))
    when, rgb = decode_frame(message(1.25, jpeg))
    assert when == 1.25 and rgb.shape == (360, 480, 3) and rgb.dtype == np.uint8
    with pytest.raises(Exception, match="not a JPEG"):
        decode_frame(message(0.5, os.urandom(2000)))
    with pytest.raises(Exception, match="8-byte time"):
        decode_frame(b"\x00\x01")
    with pytest.raises(Exception, match="finite"):
        decode_frame(message(float("nan"), jpeg))
    header = bytearray(jpeg)  # a small file whose header declares a huge picture
    sof = header.index(b"\xff\xc0")
    for side, refusal in ((2000, "larger than 1280 px"), (60000, "huge image")):
        header[sof + 5 : sof + 9] = struct.pack(">HH", side, side)
        with pytest.raises(Exception, match=refusal):  # refused before any pixel is decoded
            decode_frame(message(0.5, bytes(header)))
    png = cv2.imencode(".png", np.zeros((90, 120, 3), np.uint8))[1].tobytes()
    assert decode_frame(message(2.0, png))[1].shape == (90, 120, 3)


def test_the_page_needs_a_login_and_lists_the_analysable_exercises(tmp_path: Path) -> None:
    browser = Browser(make_app(tmp_path))
    r = browser.get("/live")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    browser.signup("ada")
    page = browser.get("/live").text
    assert 'src="/static/live.js"' in page and 'href="/live"' in page  # the nav links it
    assert 'value="standing-squeeze"' in page and 'value="inner-thigh-lift"' in page
    assert 'value="clamshell"' not in page  # not analysable from video
    js = browser.get("/static/live.js")
    assert js.status_code == 200 and "/live/ws" in js.text


def test_a_clip_is_counted_rep_by_rep_and_finish_stores_the_set_for_its_user(api: Api) -> None:
    frames = list(clip_frames(CLIP))
    # the camera goes on showing the person at rest after the last rep (1 s), as it does live
    # before Finish: the window analysis that counts the last rep runs beside the frames and
    # is folded in on a frame after it
    frames += [(frames[-1][0] + k / 15.0, frames[-1][1]) for k in range(1, 16)]
    counts, phases, drawn = [], set(), 0
    with api.client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        assert start(ws)["type"] == "ready"
        for t, jpeg in frames:  # one frame in flight: the next goes when the answer came
            ws.send_bytes(message(t, jpeg))
            answer = ws.receive_json()
            assert answer["type"] == "update", answer
            assert answer["t"] == pytest.approx(t, abs=1e-3) and answer["dropped"] == 0
            counts.append(answer["rep_count"])
            phases.add(answer["phase"])
            if answer["landmarks"] is not None:
                points = np.array(answer["landmarks"], dtype=float)
                assert points.shape == (33, 3)
                assert np.nanmin(points[23:29, :2]) > 0 and np.nanmax(points[23:29, :2]) < 1
                drawn += 1
            assert set(answer["gaps"]) == {"thigh", "knee", "ankle"}
            assert {"decode", "pose", "core"} <= set(answer["timing_ms"])
        ws.send_text(json.dumps({"type": "finish"}))
        saved = ws.receive_json()
    expected = truth(CLIP)["rep_count"]
    assert counts == sorted(counts) and counts[0] == 0 and counts[-1] == expected  # one by one
    assert set(range(expected + 1)) <= set(counts)
    assert {"concentric", "eccentric"} <= phases
    assert drawn >= 0.9 * len(frames)  # a skeleton to draw on (nearly) every frame
    assert saved["type"] == "saved" and saved["reps"] == expected and saved["sets_logged"] == 1

    stored = api.get(f"/api/analyses/{saved['analysis']}").json()
    assert stored["exercise"] == "standing-squeeze"
    assert stored["report"]["summary"]["rep_count"] == expected
    assert stored["metrics"]  # the numbers the progress page charts
    assert stored["session_uid"]
    sessions = api.get("/api/sessions").json()
    sets = [s for session in sessions for s in session["sets"]]
    assert [(s["exercise"], s["reps"], s["side"]) for s in sets] == [("standing-squeeze", expected, "both")]
    page = api.get(saved["url"])
    assert page.status_code == 200 and f"{saved['url']}/report.html" in page.text
    assert api.get(saved["url"] + "/report.html").status_code == 200

    bob = Api(api.client.app)
    bob.signup("bob")
    assert bob.get("/api/analyses").json() == [] and bob.get("/api/sessions").json() == []
    assert bob.get(f"/api/analyses/{saved['analysis']}").status_code == 404
    assert bob.get(saved["url"]).status_code == 404


def refused(api: Api, headers: dict[str, str]) -> int:
    """The close code of a socket the server refused at the handshake."""
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        api.client.websocket_connect("/live/ws", headers=headers),
    ):
        pass
    return closed.value.code


def test_a_socket_without_a_login_or_from_another_site_is_refused(api: Api) -> None:
    assert refused(Api(api.client.app), ORIGIN) == 1008  # no session cookie
    assert refused(api, {"origin": "http://evil.example"}) == 1008  # signed in, another site's page
    assert refused(api, {}) == 1008  # no Origin: not a browser page of this site
    api.post("/api/logout")  # a logged-out session cannot open one either
    assert refused(api, ORIGIN) == 1008


def test_bad_start_and_bad_frames_get_clear_errors(api: Api) -> None:
    with api.client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        answer = start(ws, "clamshell")
        assert answer["type"] == "error" and "standing-squeeze" in answer["message"]
    with api.client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        answer = start(ws, "inner-thigh-lift")  # one leg at a time: which one?
        assert answer["type"] == "error" and "left or the right" in answer["message"]
    with api.client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        assert start(ws)["type"] == "ready"
        ws.send_text(json.dumps({"type": "finish"}))
        assert "nothing to save" in ws.receive_json()["message"]
    t, jpeg = next(clip_frames(CLIP))
    with api.client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        assert start(ws)["type"] == "ready"
        ws.send_bytes(message(0.0, os.urandom(3000)))
        assert "not a JPEG" in ws.receive_json()["message"]
        ws.send_bytes(message(t + 0.1, jpeg))  # the set goes on after a bad frame
        assert ws.receive_json()["type"] == "update"
        ws.send_bytes(message(t, jpeg))
        assert "increase" in ws.receive_json()["message"]
        small = cv2.imencode(".jpg", np.zeros((120, 240, 3), np.uint8))[1].tobytes()  # 2:1, not 4:3
        ws.send_bytes(message(t + 0.2, small))
        assert "frame size changed" in ws.receive_json()["message"]
        smaller = cv2.resize(cv2.imdecode(np.frombuffer(jpeg, np.uint8), 1), (240, 180))  # same shape
        ws.send_bytes(message(t + 0.3, cv2.imencode(".jpg", smaller)[1].tobytes()))
        assert ws.receive_json()["type"] == "update"
    assert api.get("/api/analyses").json() == []  # nothing stored


def test_frames_sent_faster_than_answers_are_dropped_not_queued(api: Api) -> None:
    frames = list(clip_frames(CLIP))[:6]
    with api.client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        assert start(ws)["type"] == "ready"
        for t, jpeg in frames:  # no waiting: a client that does not pace itself
            ws.send_bytes(message(t, jpeg))
        ws.send_text(json.dumps({"type": "finish"}))
        answers = []
        while (answer := ws.receive_json())["type"] == "update":
            answers.append(answer)
    assert answer["type"] == "saved"
    assert len(answers) + sum(a["dropped"] for a in answers) == len(frames)
    assert len(answers) < len(frames)  # older frames gave way to the newest
    assert answers[-1]["t"] == pytest.approx(frames[-1][0], abs=1e-3)  # the newest is never dropped


def test_mirrored_selfie_frames_keep_left_and_right(api: Api) -> None:
    """A client that sends the mirror image (a selfie camera) says so; the person's left leg stays
    their left: in the clip the left leg moves the full range, the right about half of it."""
    clip = RENDERED / "r07_standing-squeeze_asymmetry_asian-male.mp4"
    scale = truth(clip)["leg_range_scale"]
    assert scale["left"] > 1.5 * scale["right"]
    with api.client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        assert start(ws, mirrored=True)["type"] == "ready"
        for t, jpeg in clip_frames(clip):
            flipped = cv2.imencode(".jpg", cv2.flip(cv2.imdecode(np.frombuffer(jpeg, np.uint8), 1), 1))[1]
            ws.send_bytes(message(t, flipped.tobytes()))
            answer = ws.receive_json()
            assert answer["type"] == "update"
        ws.send_text(json.dumps({"type": "finish"}))
        saved = ws.receive_json()
    reps = api.get(f"/api/analyses/{saved['analysis']}").json()["report"]["reps"]
    assert len(reps) == truth(clip)["rep_count"]
    for rep in reps:
        assert rep["leg_range"]["left"] > 1.3 * rep["leg_range"]["right"], rep["leg_range"]


def test_an_idle_socket_is_closed_and_frees_its_model(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from midline.web import live

    monkeypatch.setattr(live, "IDLE_S", 0.5)
    app = api.client.app
    with api.client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        assert start(ws)["type"] == "ready"
        assert app.state.live_running == 1  # type: ignore[attr-defined]
        answer = ws.receive_json()  # nothing sent: the server gives up
        assert answer["type"] == "error" and "no frame" in answer["message"]
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()
    deadline = time.monotonic() + 10  # the server closes the model after the socket is gone
    while app.state.live_running and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.05)
    assert app.state.live_running == 0  # type: ignore[attr-defined]
