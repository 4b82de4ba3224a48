"""``midline demo``: the main job on the embedded defaults, a programme and an analysed sample clip,
kept for a demo account in the default database so the web app (``--serve``) shows them at once."""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from midline.analysis import AnalyzeOptions, AnalyzeResult, analyze_video
from midline.cli.app import app, reported
from midline.log.records import AnalysisRecord, ProfileRecord, UserRecord
from midline.log.repository import LogRepository
from midline.log.service import store_analysis, store_plan
from midline.planner import Plan, Profile, build_plan, make_profile
from midline.planner.export_rich import plan_renderables
from midline.report.terminal import print_summary
from midline.samples import SAMPLE_EXERCISE, sample_video

DEMO_USER = "demo"
DEMO_PASSWORD = "midline-demo"
"""A published password: the demo account holds nothing but the sample. Anyone who can reach the
server can sign in with it, which is why ``midline demo --serve`` listens on 127.0.0.1 by default."""
SAMPLE_FOLDER_PREFIX = "bundled-sample-"
REPORT_FILES = ("report", "landmarks", "html", "video")


@dataclass(frozen=True)
class DemoAccount:
    user: UserRecord
    analysis: AnalysisRecord
    plan_uid: str


def demo_user(repo: LogRepository) -> UserRecord:
    """The demo account (created on first use, with the published password)."""
    from midline.web.security import hash_password

    found = repo.user(DEMO_USER)
    if found is not None:
        return found
    return repo.create_user(DEMO_USER, "Demo", "client", hash_password(DEMO_PASSWORD))


def store_demo(
    repo: LogRepository, data_dir: Path, profile: Profile, plan: Plan, result: AnalyzeResult
) -> DemoAccount:
    """Keep the demo's profile, plan and sample analysis for the demo account, where the web app
    serves them (``data_dir/reports/<user id>/``). Idempotent: a re-run leaves one copy of each;
    the new analysis is stored before the previous one is removed, so nothing is lost midway."""
    user = demo_user(repo)
    if not repo.profiles(user.id):
        repo.add_profile(user.id, ProfileRecord(name="current", data=profile.model_dump(mode="json")))
    stored_plan = store_plan(repo, user.id, plan.to_dict())

    base = data_dir / "reports" / str(user.id)
    folder = base / f"{SAMPLE_FOLDER_PREFIX}{secrets.token_hex(6)}"
    folder.mkdir(parents=True)
    files: dict[str, str] = {}
    for kind in REPORT_FILES:
        source = result.files.get(kind)
        if source is not None and Path(source).is_file():
            files[kind] = str(shutil.copy2(source, folder / Path(source).name))
    landmarks: dict[str, Any] | None = None
    if "landmarks" in files:  # a run from a landmarks file keeps the one it read
        landmarks = json.loads(Path(files["landmarks"]).read_text("utf-8"))
    new = store_analysis(repo, user.id, result.report, files, landmarks=landmarks)

    for old in repo.analyses(user.id):
        old_folder = _sample_folder(old, base)
        if old.uid != new.uid and old_folder is not None:
            repo.delete_analysis(user.id, old.uid)
            shutil.rmtree(old_folder, ignore_errors=True)
    return DemoAccount(user, new, stored_plan.uid)


def _sample_folder(analysis: AnalysisRecord, base: Path) -> Path | None:
    """The demo sample folder an analysis's files live in, or None for any other analysis."""
    for value in analysis.files.values():
        folder = Path(value).parent
        if folder.parent == base and folder.name.startswith(SAMPLE_FOLDER_PREFIX):
            return folder
    return None


@app.command("demo")
@reported
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the sample's report (report.html, annotated.mp4).")
    ] = Path("midline-demo"),
    no_video: Annotated[bool, typer.Option("--no-video", help="Skip the annotated video.")] = False,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then run the web app with the demo account (Ctrl-C stops it).")
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(help="Database URL or SQLite path (default: $MIDLINE_DB, else the user data folder)."),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="The web app's data folder (default: the user data folder's web/).", show_default=False
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="With --serve: address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="With --serve: port to listen on.")] = 8000,
) -> None:
    """Print a four-week beginner programme (3 x 20 min, ring and ball), analyse the bundled clip, keep
    both for the account `demo` in the database; with --serve, open them in the web app."""
    from midline.storage import open_repository
    from midline.web.settings import Settings, default_data_dir

    console = Console()
    profile = make_profile(props="ring,ball")
    plan = build_plan(profile)
    for renderable in plan_renderables(plan):
        console.print(renderable)
    console.rule("Video form analysis of the bundled sample: a standing squeeze")
    with console.status("analysing the sample clip (pose estimation on every frame)..."):
        result = analyze_video(sample_video(), SAMPLE_EXERCISE, out, AnalyzeOptions(make_video=not no_video))
    print_summary(result.report, console)
    console.print(f"report: {result.files.get('html', result.out_dir / 'report.json')}")

    web_dir = data_dir or default_data_dir()
    repo = open_repository(db)
    account = store_demo(repo, web_dir, profile, plan, result)
    console.print(
        f"kept for the web app's demo account (user [bold]{DEMO_USER}[/], password [bold]{DEMO_PASSWORD}[/]):"
        f" the plan and the analysis /analyses/{account.analysis.uid}"
    )
    if not serve:
        console.print("see them in a browser: [bold]midline demo --serve[/] (or midline serve)")
        return

    import uvicorn

    from midline.web import create_app

    url = f"http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}"
    console.rule("The web app")
    console.print(f"open [bold]{url}/login[/] and sign in as [bold]{DEMO_USER}[/] / [bold]{DEMO_PASSWORD}[/]")
    console.print(f"the sample's report: {url}/analyses/{account.analysis.uid}; or sign up as a new user")
    console.print("API docs at /docs; Ctrl-C stops the server")
    uvicorn.run(create_app(Settings(db=db, data_dir=web_dir)), host=host, port=port, log_level="warning")
