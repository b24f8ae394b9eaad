//! Ticket templates as the options page edits them: the few parts people change (name, where it
//! applies, the description, fixed values, the private flag) as plain fields, and back to
//! flare-core's [`TemplateSet`] with every problem named. What the page does not edit (other
//! conditions, values taken from the report) is carried through unchanged.

use std::collections::BTreeMap;

use flare_core::templates::{
    Condition, ContextField, FieldValue, NoMatch, ProviderKind, Template, TemplateSet,
};

/// The field a template's description text fills.
const DESCRIPTION_FIELD: &str = "description";

/// Every template of one connection, as edited.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateSetForm {
    /// In the order they are tried.
    pub templates: Vec<TemplateForm>,
    /// The template a report gets when no other matches (by position), or `None` to file nothing.
    pub fallback: Option<usize>,
}

/// One template, as edited.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateForm {
    /// Its name.
    pub name: String,
    /// A page address pattern where `*` is anything (`https://*.example.com/*`); blank for any page.
    pub url_pattern: String,
    /// Comma-separated words of which the title or description must contain one; blank for any.
    pub keywords: String,
    /// The description text with `{placeholders}`.
    pub description: String,
    /// Values every report from this template gets.
    pub fixed: Vec<FixedValue>,
    /// Whether private reports may use it.
    pub allow_private: bool,
    provider: ProviderKind,
    table: String,
    other_conditions: Vec<Condition>,
    other_fields: BTreeMap<String, FieldValue>,
}

/// A field and the value it always gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixedValue {
    /// The field's name on the service desk (`urgency`, `assignment_group`).
    pub field: String,
    /// Its value.
    pub value: String,
}

/// Why the templates cannot be saved as they are, pointing at the input to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateProblem {
    /// A template has no name.
    NameMissing {
        /// Its position.
        template: usize,
    },
    /// Two templates have one name, so the fallback could not say which it means.
    NameTaken {
        /// The position of the later one.
        template: usize,
    },
    /// A fixed value names no field.
    FieldMissing {
        /// The template's position.
        template: usize,
        /// The value's row.
        row: usize,
    },
    /// A field is given a fixed value twice.
    FieldRepeated {
        /// The template's position.
        template: usize,
        /// The later row.
        row: usize,
    },
}

impl TemplateSetForm {
    /// The form showing `set`.
    pub fn from_set(set: &TemplateSet) -> TemplateSetForm {
        let fallback = match &set.no_match {
            NoMatch::Skip => None,
            NoMatch::UseTemplate(name) => set
                .templates
                .iter()
                .position(|template| &template.name == name),
        };
        TemplateSetForm {
            templates: set
                .templates
                .iter()
                .map(TemplateForm::from_template)
                .collect(),
            fallback,
        }
    }

    /// The templates as flare-core routes them, or every problem found.
    pub fn to_set(&self) -> Result<TemplateSet, Vec<TemplateProblem>> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        let templates: Vec<Template> = self
            .templates
            .iter()
            .map(TemplateForm::to_template)
            .collect();
        let no_match = match self.fallback.and_then(|idx| templates.get(idx)) {
            Some(template) => NoMatch::UseTemplate(template.name.clone()),
            None => NoMatch::Skip,
        };
        Ok(TemplateSet {
            templates,
            no_match,
        })
    }

    /// Adds a template like the first one (same service desk and table), named `name`.
    pub fn add(&mut self, name: String) {
        let template = match self.templates.first() {
            Some(first) => TemplateForm {
                name,
                url_pattern: String::new(),
                keywords: String::new(),
                allow_private: false,
                other_conditions: Vec::new(),
                ..first.clone()
            },
            None => TemplateForm {
                name,
                ..TemplateForm::from_template(&TemplateSet::servicenow_default().templates[0])
            },
        };
        self.templates.push(template);
    }

    /// Removes the template at `idx`; the fallback follows the template it named.
    pub fn remove(&mut self, idx: usize) {
        if idx >= self.templates.len() {
            return;
        }
        self.templates.remove(idx);
        self.fallback = match self.fallback {
            Some(fallback) if fallback == idx => None,
            Some(fallback) if fallback > idx => Some(fallback - 1),
            other => other,
        };
    }

    /// Moves the template at `idx` one place earlier, so it is tried before the one above it.
    pub fn move_up(&mut self, idx: usize) {
        if idx == 0 || idx >= self.templates.len() {
            return;
        }
        self.templates.swap(idx - 1, idx);
        self.fallback = match self.fallback {
            Some(fallback) if fallback == idx => Some(idx - 1),
            Some(fallback) if fallback == idx - 1 => Some(idx),
            other => other,
        };
    }

    fn problems(&self) -> Vec<TemplateProblem> {
        let mut problems = Vec::new();
        for (template_idx, template) in self.templates.iter().enumerate() {
            let name = template.name.trim();
            if name.is_empty() {
                problems.push(TemplateProblem::NameMissing {
                    template: template_idx,
                });
            } else if self.templates[..template_idx]
                .iter()
                .any(|earlier| earlier.name.trim() == name)
            {
                problems.push(TemplateProblem::NameTaken {
                    template: template_idx,
                });
            }
            for (row, fixed) in template.fixed.iter().enumerate() {
                let field = fixed.field.trim();
                if field.is_empty() {
                    // A row left blank is simply not used.
                    if !fixed.value.trim().is_empty() {
                        problems.push(TemplateProblem::FieldMissing {
                            template: template_idx,
                            row,
                        });
                    }
                } else if template.fixed[..row]
                    .iter()
                    .any(|earlier| earlier.field.trim() == field)
                {
                    problems.push(TemplateProblem::FieldRepeated {
                        template: template_idx,
                        row,
                    });
                }
            }
        }
        problems
    }
}

impl TemplateForm {
    /// The form showing `template`.
    pub fn from_template(template: &Template) -> TemplateForm {
        let mut url_pattern = None;
        let mut keywords = None;
        let mut other_conditions = Vec::new();
        for condition in &template.conditions {
            match condition {
                Condition::UrlMatches(pattern) if url_pattern.is_none() => {
                    url_pattern = Some(pattern.clone())
                }
                Condition::KeywordsAny(words) if keywords.is_none() => {
                    keywords = Some(words.join(", "))
                }
                other => other_conditions.push(other.clone()),
            }
        }
        let mut description = String::new();
        let mut fixed = Vec::new();
        let mut other_fields = BTreeMap::new();
        for (field, value) in &template.fields {
            match value {
                FieldValue::Text(text) if field == DESCRIPTION_FIELD => description = text.clone(),
                FieldValue::From(ContextField::Description) if field == DESCRIPTION_FIELD => {
                    description = format!("{{{}}}", ContextField::Description.placeholder())
                }
                FieldValue::Fixed(value) => fixed.push(FixedValue {
                    field: field.clone(),
                    value: value.clone(),
                }),
                other => {
                    other_fields.insert(field.clone(), other.clone());
                }
            }
        }
        TemplateForm {
            name: template.name.clone(),
            url_pattern: url_pattern.unwrap_or_default(),
            keywords: keywords.unwrap_or_default(),
            description,
            fixed,
            allow_private: template.allow_private,
            provider: template.provider,
            table: template.table.clone(),
            other_conditions,
            other_fields,
        }
    }

    fn to_template(&self) -> Template {
        let mut conditions = Vec::new();
        if !self.url_pattern.trim().is_empty() {
            conditions.push(Condition::UrlMatches(self.url_pattern.trim().to_owned()));
        }
        let keywords: Vec<String> = self
            .keywords
            .split(',')
            .map(str::trim)
            .filter(|word| !word.is_empty())
            .map(str::to_owned)
            .collect();
        if !keywords.is_empty() {
            conditions.push(Condition::KeywordsAny(keywords));
        }
        conditions.extend(self.other_conditions.iter().cloned());
        let mut fields = self.other_fields.clone();
        if !self.description.trim().is_empty() {
            fields.insert(
                DESCRIPTION_FIELD.to_owned(),
                FieldValue::Text(self.description.clone()),
            );
        }
        for fixed in &self.fixed {
            if !fixed.field.trim().is_empty() {
                fields.insert(
                    fixed.field.trim().to_owned(),
                    FieldValue::Fixed(fixed.value.trim().to_owned()),
                );
            }
        }
        Template {
            name: self.name.trim().to_owned(),
            provider: self.provider,
            table: self.table.clone(),
            conditions,
            fields,
            allow_private: self.allow_private,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_form() -> TemplateSetForm {
        TemplateSetForm::from_set(&TemplateSet::servicenow_default())
    }

    #[test]
    fn an_unedited_set_saves_as_it_was() {
        let set = TemplateSet::servicenow_default();
        assert_eq!(TemplateSetForm::from_set(&set).to_set(), Ok(set));
    }

    #[test]
    fn the_default_shows_its_description_and_fixed_values() {
        let form = default_form();
        let incident = &form.templates[0];
        assert_eq!(incident.name, "Incident");
        assert_eq!(incident.description, "{description}");
        let fixed: Vec<(&str, &str)> = incident
            .fixed
            .iter()
            .map(|fixed| (fixed.field.as_str(), fixed.value.as_str()))
            .collect();
        assert_eq!(fixed, [("impact", "2"), ("state", "1"), ("urgency", "2")]);
    }

    #[test]
    fn edits_become_conditions_and_fields() {
        let mut form = default_form();
        form.add("Intranet".to_owned());
        let intranet = &mut form.templates[1];
        intranet.url_pattern = " https://intranet.example.com/* ".to_owned();
        intranet.keywords = "vpn, , login ".to_owned();
        intranet.description = "Seen on {page_url}".to_owned();
        intranet.fixed.push(FixedValue {
            field: "assignment_group".to_owned(),
            value: "Network".to_owned(),
        });
        intranet.fixed.push(FixedValue::default());
        form.fallback = Some(1);

        let set = form.to_set().unwrap();
        let intranet = &set.templates[1];
        assert_eq!(
            intranet.conditions,
            [
                Condition::UrlMatches("https://intranet.example.com/*".to_owned()),
                Condition::KeywordsAny(vec!["vpn".to_owned(), "login".to_owned()]),
            ]
        );
        assert_eq!(
            intranet.fields["description"],
            FieldValue::Text("Seen on {page_url}".to_owned())
        );
        assert_eq!(
            intranet.fields["assignment_group"],
            FieldValue::Fixed("Network".to_owned())
        );
        // Taken from the first template: the title and the caller still come from the report.
        assert_eq!(
            intranet.fields["short_description"],
            FieldValue::From(ContextField::Title)
        );
        assert_eq!(set.no_match, NoMatch::UseTemplate("Intranet".to_owned()));
    }

    #[test]
    fn every_problem_is_named_with_where_it_is() {
        let mut form = default_form();
        form.add("Incident".to_owned());
        form.add("  ".to_owned());
        form.templates[0].fixed.push(FixedValue {
            field: String::new(),
            value: "3".to_owned(),
        });
        form.templates[0].fixed.push(FixedValue {
            field: "urgency".to_owned(),
            value: "1".to_owned(),
        });
        assert_eq!(
            form.to_set(),
            Err(vec![
                TemplateProblem::FieldMissing {
                    template: 0,
                    row: 3
                },
                TemplateProblem::FieldRepeated {
                    template: 0,
                    row: 4
                },
                TemplateProblem::NameTaken { template: 1 },
                TemplateProblem::NameMissing { template: 2 },
            ])
        );
    }

    #[test]
    fn the_fallback_follows_its_template_when_others_move() {
        let mut form = default_form();
        form.add("Second".to_owned());
        form.add("Third".to_owned());
        form.fallback = Some(2);
        form.move_up(2);
        assert_eq!(form.fallback, Some(1));
        form.remove(0);
        assert_eq!(form.fallback, Some(0));
        assert_eq!(form.templates[0].name, "Third");
        form.remove(0);
        assert_eq!(form.fallback, None);
    }

    #[test]
    fn conditions_the_page_does_not_edit_are_kept() {
        let mut set = TemplateSet::servicenow_default();
        set.templates[0].conditions = vec![
            Condition::PriorityIn(vec!["1".to_owned()]),
            Condition::UrlMatches("https://a/*".to_owned()),
            Condition::UrlMatches("https://b/*".to_owned()),
        ];
        let saved = TemplateSetForm::from_set(&set).to_set().unwrap();
        assert_eq!(saved.templates[0].conditions.len(), 3);
        assert!(saved.templates[0]
            .conditions
            .contains(&Condition::PriorityIn(vec!["1".to_owned()])));
    }
}
