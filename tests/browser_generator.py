"""Generator factory for the browser test's app process (REPORT_RAG_APP_GENERATOR=browser_generator:create).

The browser test checks the UI (streaming, chips, page image), not a model, so the app
answers with a fixed reply that the sample report supports.
"""

from __future__ import annotations

from scripted_generator import ScriptedGenerator

QUESTION = "贵州茅台上半年直销渠道收入是多少？"
REPLY = "上半年直销渠道实现收入364.86亿元，同比增长18.6%[1]。"


def create(settings) -> ScriptedGenerator:
    return ScriptedGenerator(REPLY)
