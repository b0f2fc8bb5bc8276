"""Read-mostly admin views: the pages and loaders are the way to change the knowledge base."""

from django.contrib import admin

from zhichan.knowledge.models import Article, HotlineQuestion, Law, Policy, QAItem, Tag


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ("number", "ordinal", "chapter")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Law)
class LawAdmin(admin.ModelAdmin):
    list_display = ("short_name", "title", "issuing_body", "document_number", "status")
    search_fields = ("title", "short_name")
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "chapter")
    list_filter = ("law",)
    search_fields = ("text",)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "issuing_body", "document_number", "issued_on", "status", "region", "published")
    list_filter = ("status", "published")
    search_fields = ("title", "document_number")


@admin.register(QAItem)
class QAItemAdmin(admin.ModelAdmin):
    list_display = ("question", "service_item", "region", "published")
    list_filter = ("published",)
    search_fields = ("question", "answer")
    raw_id_fields = ("articles",)


@admin.register(HotlineQuestion)
class HotlineQuestionAdmin(admin.ModelAdmin):
    list_display = ("at", "text", "outcome", "agent", "agency")
    list_filter = ("outcome",)
    readonly_fields = [f.name for f in HotlineQuestion._meta.fields]


admin.site.register(Tag)
