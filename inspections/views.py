from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def schedule(request):
    return render(request, "inspections/schedule.html")
