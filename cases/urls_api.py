from django.urls import path

from .api import dashboard

urlpatterns: list = [
    path(
        "dashboard/workload/",
        dashboard.WorkloadDashboardView.as_view(),
        name="api-dashboard-workload",
    ),
]
