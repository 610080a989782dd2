"""Stories: articles from several sources about the same event, grouped as one."""

from bot.news.stories.group import Source, Story, group_stories, site_name
from bot.news.stories.similarity import Features, features, same_event

__all__ = ["Features", "Source", "Story", "features", "group_stories", "same_event", "site_name"]
