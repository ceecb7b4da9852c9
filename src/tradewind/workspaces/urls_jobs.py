"""The job log and the schedules pages, under settings/ (names in the "settings" namespace)."""

from django.urls import path

from . import views_jobs

urlpatterns = [
    path("jobs/", views_jobs.job_list, name="jobs"),
    path("jobs/check/", views_jobs.worker_check, name="worker_check"),
    path("jobs/<int:job_id>/", views_jobs.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/retry/", views_jobs.job_retry, name="job_retry"),
    path("jobs/<int:job_id>/cancel/", views_jobs.job_cancel, name="job_cancel"),
    path("schedules/", views_jobs.schedule_list, name="schedules"),
    path("schedules/run/", views_jobs.schedule_run_now, name="schedule_run_now"),
]
