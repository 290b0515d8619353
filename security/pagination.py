"""Page-number pagination for every API list: 50 a page by default, 200 at most."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView


class ApiPagination(PageNumberPagination):
    """``?page=2&page_size=100``. Lists order by a unique key last, so pages never overlap."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def paginated_response(
    *,
    request: Request,
    view: APIView,
    rows: Sequence[Any] | QuerySet[Any],
    serializer_class: type[BaseSerializer],
    on_page: Callable[[list[Any]], None] | None = None,
) -> Response:
    """One page of ``rows``, serialized, with count and next/previous links.

    ``on_page`` sees the page's rows first (to audit who saw which records).
    """
    paginator = ApiPagination()
    page = list(paginator.paginate_queryset(rows, request, view=view) or [])
    if on_page is not None:
        on_page(page)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
