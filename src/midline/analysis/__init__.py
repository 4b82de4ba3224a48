"""Video form analysis, end to end: file in, report folder out (the adapters around midline.core)."""

from midline.analysis.run import (
    AnalyzeOptions,
    AnalyzeResult,
    analyze_landmarks,
    analyze_video,
    default_out_dir,
)

__all__ = ["AnalyzeOptions", "AnalyzeResult", "analyze_landmarks", "analyze_video", "default_out_dir"]
