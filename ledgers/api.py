"""Ledger API (/api/v1/ledgers/…): the same services as the pages, one APIView per operation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import INVALID, NOT_FOUND, WRITE_ERRORS
from ledgers import exports, hooks, upload
from ledgers.definitions import all_ledgers
from ledgers.models import ExportJob
from ledgers.selectors import export_job_get, export_job_list, import_batch_get
from ledgers.views import _file_response, _validate_upload, job_status

if TYPE_CHECKING:
    from rest_framework.request import Request


@extend_schema_serializer(component_name="ExportJob")
class _JobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    ledger = serializers.CharField()
    ledger_title = serializers.CharField()
    full_id_numbers = serializers.BooleanField()
    format = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    percent = serializers.IntegerField()
    progress_rows = serializers.IntegerField()
    total_rows = serializers.IntegerField()
    row_count = serializers.IntegerField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.CharField(allow_null=True)


class LedgerListApi(APIView):
    @extend_schema_serializer(component_name="Ledger")
    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        title = serializers.CharField()
        description = serializers.CharField()
        supports_as_of = serializers.BooleanField()
        columns = serializers.ListField(child=serializers.DictField())

    @extend_schema(operation_id="ledger_list", responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        data = [
            {
                "name": ledger.name,
                "title": str(ledger.title),
                "description": str(ledger.description),
                "supports_as_of": ledger.supports_as_of,
                "columns": [
                    {"key": c.key, "header": str(c.header), "help": str(c.help)}
                    for c in ledger.columns
                ],
            }
            for ledger in all_ledgers()
        ]
        return Response(self.OutputSerializer(data, many=True).data)


class LedgerExportApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="LedgerExport")
    class InputSerializer(serializers.Serializer):
        format = serializers.ChoiceField(
            choices=ExportJob.Format.choices,
            default=ExportJob.Format.XLSX,
            help_text=_("xlsx（默认，Excel 打开不丢数字）或 csv（供其他系统导入）"),
        )
        filters = serializers.DictField(child=serializers.CharField(), required=False)
        as_of = serializers.DateField(required=False, allow_null=True)
        full_id_numbers = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="ledger_export",
        description=_(
            "小批量直接返回文件；数据较多时返回 202 与后台任务，完成后从 download_url 下载。"
        ),
        request=InputSerializer,
        responses={
            200: OpenApiResponse(description=_("CSV 或 XLSX 文件")),
            202: _JobSerializer,
            **INVALID,
            403: OpenApiResponse(description=_("无导出权限或无完整身份证号导出权限")),
            404: OpenApiResponse(description=_("没有这个台账")),
        },
    )
    def post(self, request: Request, name: str) -> HttpResponse | Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        req = exports.export_request_build(
            actor=request.user,
            ledger_name=name,
            fmt=data["format"],
            filters=data.get("filters"),
            as_of=data.get("as_of"),
            full_id_numbers=data["full_id_numbers"],
        )
        if exports.export_is_small(actor=request.user, req=req):
            return _file_response(exports.export_now(actor=request.user, req=req, request=request))
        job = exports.export_job_start(actor=request.user, req=req)
        return Response(_JobSerializer(job_status(job)).data, status=status.HTTP_202_ACCEPTED)


class ExportJobListApi(APIView):
    @extend_schema(operation_id="export_job_list", responses={200: _JobSerializer(many=True)})
    def get(self, request: Request) -> Response:
        jobs = [job_status(job) for job in export_job_list(actor=request.user)]
        return Response(_JobSerializer(jobs, many=True).data)


class ExportJobDetailApi(APIView):
    @extend_schema(operation_id="export_job_get", responses={200: _JobSerializer, **NOT_FOUND})
    def get(self, request: Request, job_id: UUID) -> Response:
        job = export_job_get(actor=request.user, job_id=job_id)
        return Response(_JobSerializer(job_status(job)).data)


class ExportJobFileApi(APIView):
    @extend_schema(
        operation_id="export_job_file",
        responses={200: OpenApiResponse(description="file"), **NOT_FOUND},
    )
    def get(self, request: Request, job_id: UUID) -> FileResponse:
        job = export_job_get(actor=request.user, job_id=job_id)
        path = exports.export_path(job) if job.file_name else None
        if job.status != ExportJob.Status.DONE or path is None or not path.exists():
            raise Http404
        return FileResponse(
            path.open("rb"), as_attachment=True, filename=exports.export_download_name(job)
        )


@extend_schema_serializer(component_name="LedgerImportReport")
class _ReportSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    status = serializers.CharField()
    original_name = serializers.CharField()
    report = serializers.DictField()
    created_counts = serializers.DictField()


class LedgerImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="LedgerImport")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        area = serializers.CharField(required=False, allow_blank=True)

        def validate_file(self, file: Any) -> Any:
            upload.check_upload_size(file.size)
            return file

    @extend_schema(
        operation_id="ledger_import_validate",
        description=_("上传家庭和成员台账，返回逐行校验报告；确认前不写入任何数据。"),
        request={"multipart/form-data": InputSerializer},
        responses={201: _ReportSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        code = data.get("area")
        area = hooks.areas().get(actor=request.user, code=code) if code else None
        batch = _validate_upload(request, data["file"], area)
        return Response(_ReportSerializer(batch).data, status=status.HTTP_201_CREATED)


class LedgerImportCommitApi(APIView):
    @extend_schema(
        operation_id="ledger_import_commit",
        request=None,
        responses={200: _ReportSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, batch_id: UUID) -> Response:
        batch = import_batch_get(actor=request.user, batch_id=batch_id)
        batch = hooks.importer().commit(actor=request.user, batch=batch)
        return Response(_ReportSerializer(batch).data)
