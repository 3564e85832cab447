from django.shortcuts import render


def verify_form(request):
    return render(request, "certificates/verify.html")


def registry(request):
    return render(request, "certificates/registry.html")
