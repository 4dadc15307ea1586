"""FAQ engine: loading and checking the YAML knowledge base, and matching questions to it.

Handlers use `FaqService` (the live KB + matcher, reloadable) and `render_answer`; CI and the
admin `/reload_faq` command use `check_knowledge_base` so broken data never reaches parents.
"""

from bot.services.faq.check import Problem, check_directory, check_knowledge_base
from bot.services.faq.kb import (
    Category,
    FaqEntry,
    Intent,
    KnowledgeBase,
    KnowledgeBaseError,
    Link,
    load_knowledge_base,
    render_answer,
    render_link,
    render_links,
    render_text,
)
from bot.services.faq.matcher import FaqMatcher, Scored, SearchResult
from bot.services.faq.service import FaqService

__all__ = [
    "Category",
    "FaqEntry",
    "FaqMatcher",
    "FaqService",
    "Intent",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Link",
    "Problem",
    "Scored",
    "SearchResult",
    "check_directory",
    "check_knowledge_base",
    "load_knowledge_base",
    "render_answer",
    "render_link",
    "render_links",
    "render_text",
]
