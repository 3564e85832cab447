from django.contrib.auth import views as auth_views
from django.urls import path

from registrasi.accounts import dispute_views, privacy_views, security_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("privacy/", privacy_views.notice, name="privacy"),
    path("privacy/retention/", privacy_views.retention, name="retention"),
    path("my-data/", privacy_views.my_data, name="my_data"),
    path("my-data.json", privacy_views.my_data_json, name="my_data_json"),
    path("my-data/delete/", privacy_views.delete_account, name="delete_account"),
    path("organization/reads/", privacy_views.organization_reads, name="organization_reads"),
    path(
        "reads/application/<int:application_id>/",
        privacy_views.application_reads,
        name="application_reads",
    ),
    path("dispute/", dispute_views.dispute_start, name="dispute"),
    path("dispute/confirm/<str:token>/", dispute_views.dispute_confirm, name="dispute_confirm"),
    path("disputes/", dispute_views.dispute_list, name="dispute_list"),
    path("disputes/<int:pk>/", dispute_views.dispute_detail, name="dispute_detail"),
    path(
        "disputes/<int:pk>/documents/<int:document_pk>/",
        dispute_views.dispute_document,
        name="dispute_document",
    ),
    path("profile/", views.profile, name="profile"),
    path("organization/", views.organization, name="organization"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.invite, name="invite"),
    path("members/<int:pk>/remove/", views.membership_remove, name="remove_member"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="revoke_invitation"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("second-factor/", security_views.second_factor_overview, name="second_factor"),
    path(
        "second-factor/setup/",
        security_views.second_factor_setup,
        name="second_factor_setup",
    ),
    path(
        "second-factor/verify/",
        security_views.second_factor_verify,
        name="second_factor_verify",
    ),
    path(
        "second-factor/backup-codes/",
        security_views.backup_codes_renew,
        name="second_factor_backup_codes",
    ),
    path(
        "second-factor/remove/",
        security_views.second_factor_remove,
        name="second_factor_remove",
    ),
    path(
        "organization/second-factor/",
        security_views.organization_second_factor,
        name="organization_second_factor",
    ),
    path("lockouts/", security_views.lockouts, name="lockouts"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
