"""The resource pool's REST API: providers and resources, one APIView per operation.

Reads go through the pool's scoping roots (a provider's token sees only its own provider
and resources); writes go through the services, which let only pool keepers change rows
inside their own area (403 otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from core.api import (
    FORBIDDEN as _FORBIDDEN,
)
from core.api import (
    INVALID as _INVALID,
)
from core.api import (
    NOT_FOUND as _NOT_FOUND,
)
from core.api import (
    STALE,
    JsonApi,
    validated,
)
from core.api import (
    WRITE_ERRORS as _WRITE_ERRORS,
)
from core.pagination import KeysetPagination, paginated_response
from households.models import Category
from households.selectors import area_qs_visible_to
from households.serializers import (
    AreaRefSerializer,
    StatusField,
    VersionedInputSerializer,
    VisibleAreaField,
    VisibleUUIDField,
)
from resources import selectors, services
from resources.models import Provider, Resource
from resources.vocabulary import NeedSubtype, NeedType

if TYPE_CHECKING:
    from rest_framework.request import Request


# ---- shapes ----------------------------------------------------------------------------


class ProviderRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    kind = StatusField(Provider.Kind)


@extend_schema_serializer(component_name="Provider")
class ProviderOutputSerializer(ProviderRefSerializer):
    area = AreaRefSerializer()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    address = serializers.CharField()
    description = serializers.CharField()
    active = serializers.BooleanField()
    version = serializers.IntegerField()


@extend_schema_serializer(component_name="Resource")
class ResourceOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    provider = ProviderRefSerializer()
    kind = StatusField(Resource.Kind)
    pool_list = StatusField(Resource.PoolList)
    name = serializers.CharField()
    description = serializers.CharField()
    department = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    need_types = serializers.ListField(child=serializers.CharField())
    need_subtypes = serializers.ListField(child=serializers.CharField())
    area = AreaRefSerializer()
    capacity = serializers.IntegerField(allow_null=True)
    period = StatusField(Resource.Period)
    stock = serializers.IntegerField(allow_null=True)
    remaining = serializers.SerializerMethodField(help_text=_("本期剩余名额或现有库存；政策为空"))
    unit = serializers.CharField()
    available_from = serializers.DateField(allow_null=True)
    available_until = serializers.DateField(allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    active = serializers.BooleanField()
    version = serializers.IntegerField()

    def get_remaining(self, resource: Resource) -> int | None:
        return selectors.remaining_of(resource)


class _ProviderFields(serializers.Serializer):
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class _ResourceFields(serializers.Serializer):
    pool_list = StatusField(Resource.PoolList, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    department = serializers.CharField(max_length=100, required=False, allow_blank=True)
    categories = serializers.ListField(
        child=StatusField(Category.Code),
        required=False,
        help_text=_("面向的救助类别；空则面向所有困难群众"),
    )
    need_subtypes = serializers.ListField(child=StatusField(NeedSubtype), required=False)
    capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    period = StatusField(Resource.Period, required=False)
    unit = serializers.CharField(max_length=10, required=False)
    available_from = serializers.DateField(required=False, allow_null=True)
    available_until = serializers.DateField(required=False, allow_null=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    active = serializers.BooleanField(required=False)


# ---- providers -------------------------------------------------------------------------


class ProviderListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="provider_list", responses={200: ProviderOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        providers = selectors.provider_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=providers,
            serializer_class=ProviderOutputSerializer,
            request=request,
            view=self,
        )


class ProviderCreateApi(JsonApi):
    @extend_schema_serializer(component_name="ProviderCreate")
    class InputSerializer(_ProviderFields):
        kind = StatusField(Provider.Kind)
        name = serializers.CharField(max_length=100)
        area = VisibleAreaField(visible=area_qs_visible_to, help_text=_("所属区划代码"))

    @extend_schema(
        operation_id="provider_create",
        request=InputSerializer,
        responses={201: ProviderOutputSerializer, **_INVALID, **_FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        provider = services.provider_create(actor=request.user, **validated(self, request))
        return Response(ProviderOutputSerializer(provider).data, status=status.HTTP_201_CREATED)


class ProviderDetailApi(JsonApi):
    @extend_schema(
        operation_id="provider_get", responses={200: ProviderOutputSerializer, **_NOT_FOUND}
    )
    def get(self, request: Request, provider_id: UUID) -> Response:
        provider = selectors.provider_get(actor=request.user, provider_id=provider_id)
        return Response(ProviderOutputSerializer(provider).data)


class ProviderUpdateApi(JsonApi):
    @extend_schema_serializer(component_name="ProviderUpdate")
    class InputSerializer(VersionedInputSerializer, _ProviderFields):
        kind = StatusField(Provider.Kind, required=False)
        name = serializers.CharField(max_length=100, required=False)
        area = VisibleAreaField(visible=area_qs_visible_to, required=False)

    @extend_schema(
        operation_id="provider_update",
        request=InputSerializer,
        responses={200: ProviderOutputSerializer, **_WRITE_ERRORS, **STALE},
    )
    def patch(self, request: Request, provider_id: UUID) -> Response:
        provider = selectors.provider_get_for_edit(actor=request.user, provider_id=provider_id)
        data = validated(self, request)
        version = data.pop("version")
        provider = services.provider_update(
            actor=request.user, provider=provider, data=data, expected_version=version
        )
        return Response(ProviderOutputSerializer(provider).data)


# ---- resources -------------------------------------------------------------------------


class ResourceListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="resource_list", responses={200: ResourceOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        resources = selectors.resource_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=resources,
            serializer_class=ResourceOutputSerializer,
            request=request,
            view=self,
        )


class ResourceCreateApi(JsonApi):
    @extend_schema_serializer(component_name="ResourceCreate")
    class InputSerializer(_ResourceFields):
        provider = VisibleUUIDField(visible=selectors.provider_qs_visible_to)
        kind = StatusField(Resource.Kind)
        name = serializers.CharField(max_length=100)
        area = VisibleAreaField(visible=area_qs_visible_to, help_text=_("服务范围的区划代码"))
        need_types = serializers.ListField(child=StatusField(NeedType), min_length=1)
        stock = serializers.IntegerField(
            min_value=0, required=False, help_text=_("物资：初始库存，记为一笔入库")
        )

    @extend_schema(
        operation_id="resource_create",
        request=InputSerializer,
        responses={201: ResourceOutputSerializer, **_INVALID, **_FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        resource = services.resource_create(actor=request.user, **validated(self, request))
        resource = selectors.resource_get(actor=request.user, resource_id=resource.uuid)
        return Response(ResourceOutputSerializer(resource).data, status=status.HTTP_201_CREATED)


class ResourceDetailApi(JsonApi):
    @extend_schema(
        operation_id="resource_get", responses={200: ResourceOutputSerializer, **_NOT_FOUND}
    )
    def get(self, request: Request, resource_id: UUID) -> Response:
        resource = selectors.resource_get(actor=request.user, resource_id=resource_id)
        return Response(ResourceOutputSerializer(resource).data)


class ResourceUpdateApi(JsonApi):
    @extend_schema_serializer(component_name="ResourceUpdate")
    class InputSerializer(VersionedInputSerializer, _ResourceFields):
        name = serializers.CharField(max_length=100, required=False)
        area = VisibleAreaField(visible=area_qs_visible_to, required=False)
        need_types = serializers.ListField(
            child=StatusField(NeedType), min_length=1, required=False
        )

    @extend_schema(
        operation_id="resource_update",
        request=InputSerializer,
        responses={200: ResourceOutputSerializer, **_WRITE_ERRORS, **STALE},
    )
    def patch(self, request: Request, resource_id: UUID) -> Response:
        resource = selectors.resource_get_for_edit(actor=request.user, resource_id=resource_id)
        data = validated(self, request)
        version = data.pop("version")
        services.resource_update(
            actor=request.user, resource=resource, data=data, expected_version=version
        )
        resource = selectors.resource_get(actor=request.user, resource_id=resource_id)
        return Response(ResourceOutputSerializer(resource).data)


class ResourceStockReceiveApi(JsonApi):
    @extend_schema_serializer(component_name="StockReceive")
    class InputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(min_value=1)
        supplier = serializers.CharField(max_length=100, required=False, allow_blank=True)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @extend_schema(
        operation_id="resource_stock_receive",
        description=_("物资入库：库存增加，并记一笔入库记录。"),
        request=InputSerializer,
        responses={200: ResourceOutputSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request, resource_id: UUID) -> Response:
        resource = selectors.resource_get_for_edit(actor=request.user, resource_id=resource_id)
        services.stock_receive(actor=request.user, resource=resource, **validated(self, request))
        resource = selectors.resource_get(actor=request.user, resource_id=resource_id)
        return Response(ResourceOutputSerializer(resource).data)
