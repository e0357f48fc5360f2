
app_name = "duplicates"
urlpatterns: list[object] = []
