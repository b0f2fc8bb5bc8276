def test_smoke(questionnaire, world):
    from zhichan.diagnosis import services
    print(questionnaire, services.question_count(questionnaire))
