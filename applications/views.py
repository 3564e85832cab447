from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    return render(request, "applications/dashboard.html")


@login_required
def staff_queue(request):
    return render(request, "applications/staff_queue.html")
