

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('drafting', '0009_drop_case_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='QuestionVector',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('model_name', models.CharField(max_length=120)),
                ('digest', models.CharField(max_length=64)),
                ('dim', models.PositiveSmallIntegerField()),
                ('vector', models.BinaryField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('model_name', 'digest'), name='question_vector_unique')],
            },
        ),
    ]
