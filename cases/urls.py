from django.urls import path

from . import views
from .administration_settings import views as views_settings
from .composer import views as composer_views
from .counter import views as counter_views
from .dashboard import views as dashboard_views
from .intake import views as views_mail
from .notifications import views as notification_views
from .retention import views as retention_views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("suivant/", views.case_next, name="next"),
    path("nouveau/", counter_views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/presence/", views.case_presence, name="presence"),
    path("<int:pk>/prendre/", views.case_take, name="take"),
    path("<int:pk>/action/", views.case_transition, name="transition"),
    path("<int:pk>/assigner/", views.case_assign, name="assign"),
    path("<int:pk>/note/", views.case_note, name="note"),
    path("<int:pk>/reponse/", composer_views.case_reply, name="reply"),
    path("<int:pk>/reponse-donnee/", counter_views.case_answer_given, name="answer_given"),
    path("<int:pk>/transfert/", views.case_transfer, name="transfer"),
    path(
        "<int:pk>/envois/<int:delivery_pk>/relancer/",
        views.delivery_retry,
        name="delivery_retry",
    ),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("tableau-de-bord/", dashboard_views.workload, name="dashboard"),
]

# Administrators: the administration's settings (cases/administration_settings/views.py).
urlpatterns += [
    path("parametres/", views_settings.settings_page, name="settings"),
    path("parametres/delais/", views_settings.deadlines, name="settings_deadlines"),
    path("parametres/textes/", views_settings.texts, name="settings_texts"),
    path("parametres/references/", views_settings.references, name="settings_references"),
    path("parametres/themes/", views_settings.topic_create, name="settings_topic_create"),
    path("parametres/themes/<int:pk>/", views_settings.topic_update, name="settings_topic"),
    # E-mail: mailbox, quarantine, acknowledgement of receipt (cases/intake/views.py).
    path("parametres/courriel/", views_mail.mail_settings, name="mail_settings"),
    path("parametres/courriel/boite/", views_mail.mailbox, name="mail_settings_mailbox"),
    path(
        "parametres/courriel/boite/retirer/",
        views_mail.mailbox_delete,
        name="mail_settings_mailbox_delete",
    ),
    path(
        "parametres/courriel/accuse/",
        views_mail.acknowledgement,
        name="mail_settings_acknowledgement",
    ),
]

# Agents' notifications (cases/notifications/).
urlpatterns += [
    path("notifications/", notification_views.notifications_page, name="notifications"),
    path(
        "notifications/tout-lu/",
        notification_views.notifications_read_all,
        name="notifications_read",
    ),
    path(
        "notifications/<int:pk>/ouvrir/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/choix/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
]

# Administrators: usagers' rights requests and the retention period (cases/retention/).
urlpatterns += [path("parametres/donnees-usagers/", retention_views.rights_page, name="rights")]
