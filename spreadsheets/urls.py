from django.urls import path

from spreadsheets import views

app_name = "spreadsheets"

urlpatterns = [
    path("", views.index, name="index"),
    path("template/", views.template_download, name="template"),
    path("import/", views.import_upload, name="import"),
    path("export/", views.export_request, name="export"),
]
