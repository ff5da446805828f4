package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newCalibrateCmd(cfg *config, s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "calibrate",
		Short: "Print how well the answer-or-abstain probabilities held on questions the models did not learn from",
		Long: `Train the engine on the knowledge (--knowledge, KNOWLEDGE_DIR or the embedded one) as the bot
does at start-up, and print its reliability table: the entries are split into five folds, the
models learn from four and predict the fifth. For each band of predicted probability, how often
the top candidate was in fact right. The assistant answers when the probability reaches
answer_when_at_least in settings.yaml.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := newAssistant(cfg.KnowledgeDir)
			if err != nil {
				return err
			}
			defer a.Close()
			m := a.Model()
			fmt.Fprintf(s.out, "answers at probability >= %.2f (answer_when_at_least)\n%s", m.Target, m.Folds())
			return nil
		},
	}
}
