from django.http import HttpResponse


def _stub(request, pk=None):
    return HttpResponse("")


index = law = article = policy = qa = manage = policy_edit = qa_edit = unanswered = _stub
console = console_results = console_record = _stub
