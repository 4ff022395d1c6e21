"""Stage 7: cited answers, briefs and digests, every sentence checked against its passage."""

from report_rag.answer.digest import Digest, build_digest, digest_markdown
from report_rag.answer.qa import Event, EvidenceFound, Final, PassagesFound, Token, ask, ask_stream, final_answer
from report_rag.answer.shared import Queued, ask_shared
from report_rag.answer.summarize import summarize_report, summary_markdown

__all__ = ["Digest", "Event", "EvidenceFound", "Final", "PassagesFound", "Queued", "Token", "ask", "ask_shared", "ask_stream", "build_digest", "digest_markdown", "final_answer", "summarize_report", "summary_markdown"]
