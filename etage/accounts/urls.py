from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from etage.accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-facteur/activation/", views.second_factor_enrol, name="second_factor_enrol"),
    path("second-facteur/", views.second_factor_verify, name="second_factor_verify"),
    path("langue/", views.language, name="language"),
    path(
        "mot-de-passe/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
