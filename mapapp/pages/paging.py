"""One page of a long list, with links to its neighbours that keep the rest of the query."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class ToldPaginator(Paginator):
    """A paginator told how many items there are (count(), asked once), where something
    cheaper than a COUNT(*) over them knows."""

    def __init__(self, items, size, count):
        super().__init__(items, size)
        self._count = count

    @cached_property
    def count(self):
        return self._count()


def page_with_links(request, items, *, size, parameter="page", query=None, count=None):
    """The page `parameter` asks for, as `get_page` finds it: a page number gone stale (its last
    item was decided or filtered away) or garbled shows the nearest real page, not an error.
    `prev_url` and `next_url` are "" where there is no such page; they keep `query` (by default
    the request's). count(), if given, says how many items there are."""
    query = request.GET if query is None else query
    paginator = Paginator(items, size) if count is None else ToldPaginator(items, size, count)
    page = paginator.get_page(request.GET.get(parameter))
    page.prev_url = _page_url(query, parameter, page.has_previous() and page.number - 1)
    page.next_url = _page_url(query, parameter, page.has_next() and page.number + 1)
    return page


def _page_url(query, parameter, number):
    if not number:
        return ""
    query = query.copy()
    query[parameter] = number
    return f"?{query.urlencode()}"
